import type { Profile } from '../model/profile.js';
import type { ProbeOutcome, ProbeReport } from '../host/probe.js';
import type { ProbeDisagreement } from '../host/probe-diff.js';
import { paintFor, type Paint } from '../report/paint.js';
import { InputError } from '../errors.js';

export interface ProbeCliOptions {
  qemu?: string;
  moduleDir?: string;
  json?: boolean;
  profile?: Profile;
}

/**
 * Tries every driver on the real qemu-system, paused with no guest, and prints what it allows.
 * With a profile, exit 1 when the build disagrees with it (as `verify` and `diff` do).
 */
export async function runProbe(options: ProbeCliOptions): Promise<void> {
  if (!options.qemu) throw new InputError('probe needs the qemu-system binary to try (--qemu <program>)');
  const { probeBuild, ProbeError } = await import('../host/probe.js');
  let report: ProbeReport;
  try {
    report = await probeBuild({ qemu: options.qemu, ...(options.moduleDir ? { moduleDir: options.moduleDir } : {}) });
  } catch (error) {
    if (error instanceof ProbeError)
      throw new InputError(error.message.split('\n')[0] ?? error.message, { cause: error });
    throw error;
  }
  const { diffProbe } = await import('../host/probe-diff.js');
  const disagreements = options.profile ? diffProbe(report, options.profile) : [];
  const out = options.json
    ? probeJson(report)
    : probeText(report, options.qemu, options.profile?.name, disagreements, paintFor(process.stdout, process.env));
  process.stdout.write(`${out}\n`);
  if (options.profile) process.exitCode = disagreements.length === 0 ? 0 : 1;
}

/** `{"qcow2": {"rw": "allowed", "ro": "allowed"}, ...}`, drivers in probe order. */
export function probeJson(report: ProbeReport): string {
  const table = Object.fromEntries(
    Object.entries(report.results).map(([driver, r]) => [driver, { rw: r.rw, ro: r.ro }]),
  );
  return JSON.stringify(table, null, 2);
}

function colour(outcome: ProbeOutcome, text: string, paint: Paint): string {
  const by: Record<ProbeOutcome, (s: string) => string> = {
    allowed: paint.green,
    'read-only-only': paint.yellow,
    'not-whitelisted': paint.red,
    unavailable: paint.dim,
  };
  return by[outcome](text);
}

/** A driver/rw/ro table, then (with a profile) each disagreement or that there is none. */
export function probeText(
  report: ProbeReport,
  qemu: string,
  profileName: string | undefined,
  disagreements: ProbeDisagreement[],
  paint: Paint,
): string {
  const drivers = Object.keys(report.results);
  const width = Math.max('driver'.length, ...drivers.map((d) => d.length)) + 2;
  const cell = (o: ProbeOutcome) => colour(o, o.padEnd(17), paint);
  const lines = [
    paint.bold(`${qemu} (QEMU ${report.version})`),
    paint.bold(`${'driver'.padEnd(width)}${'rw'.padEnd(17)}ro`),
  ];
  for (const [driver, r] of Object.entries(report.results))
    lines.push(`${driver.padEnd(width)}${cell(r.rw)}${colour(r.ro, r.ro, paint)}`);
  if (profileName === undefined) return lines.join('\n');
  lines.push('');
  if (disagreements.length === 0) {
    lines.push(`The probe agrees with profile ${profileName}.`);
    return lines.join('\n');
  }
  lines.push(paint.bold(`Disagreements with profile ${profileName} (${disagreements.length}):`));
  for (const d of disagreements) {
    const detail = report.results[d.driver]?.[`${d.access}Detail`] ?? '';
    lines.push(
      `  ${d.driver} ${d.access}: probed ${colour(d.probed, d.probed, paint)}, profile says ${d.expected}${paint.dim(` (${detail})`)}`,
    );
  }
  return lines.join('\n');
}
