import type { Profile } from '../model/profile.js';
import { loadProfile } from '../host/profiles.js';
import { DIFF_AREAS, diffProfiles, type DiffArea, type Difference } from '../engine/profile-diff.js';
import { diffJson, diffText } from '../report/diff.js';
import { diffJunit } from '../report/junit.js';
import { githubCommands } from '../report/github.js';
import { driftReport } from '../report/subjects.js';
import { COMPARISON_FORMATS, parseFormat } from '../report/format.js';
import { paintFor } from '../report/paint.js';

export interface GateOptions {
  expect: string;
  qemu?: string[];
  qemuImg?: string;
  moduleDir?: string;
  probe?: boolean;
  format?: string;
  json?: boolean;
}

/**
 * A distro maintainer's CI gate: inspect (and with --probe, try) the build, compare it with the expected profile,
 * exit 1 on any drift. The QEMU version is shown but not gated: a stable update must not fail the gate.
 */
export async function runGate(options: GateOptions): Promise<void> {
  const format = parseFormat(options, COMPARISON_FORMATS);
  const expected = await loadProfile(options.expect);
  const { inspectBinaries } = await import('../host/inspect.js');
  const build = {
    ...(options.qemu ? { qemu: options.qemu } : {}),
    ...(options.qemuImg ? { qemuImg: options.qemuImg } : {}),
    ...(options.moduleDir ? { moduleDir: options.moduleDir } : {}),
  };
  const { profile: inspected } = await inspectBinaries(build);
  const probe = options.probe ? await probeBuild(options, inspected) : undefined;
  const actual = probe ? withProbedDrivers(inspected, probe.available) : inspected;
  const drift: Difference[] = [
    ...diffProfiles(expected, actual).filter((d) => d.area !== 'version'),
    ...(probe ? await probeDrift(probe.report, expected) : []),
  ];
  const name = options.qemu?.[0] ?? 'host';
  const suite = `blockgate gate ${name}`;
  const out =
    format === 'json'
      ? diffJson(expected.name, name, drift)
      : format === 'junit'
        ? diffJunit(suite, expected.name, drift, gatedAreas(options.probe === true))
        : format === 'github'
          ? githubCommands(driftReport(suite, expected.name, drift, gatedAreas(options.probe === true), process.cwd()))
          : diffText(expected.name, name, drift, paintFor(process.stdout, process.env));
  if (out !== '') process.stdout.write(`${out}\n`);
  process.exitCode = drift.length === 0 ? 0 : 1;
}

function gatedAreas(probe: boolean): DiffArea[] {
  return DIFF_AREAS.map((a) => a.area).filter((a) => a !== 'version' && (probe || a !== 'probe'));
}

async function probeBuild(options: GateOptions, inspected: Profile) {
  const { probeBuild: probe } = await import('../host/probe.js');
  const qemu = options.qemu?.[0] ?? inspected.qemu.hypervisors[0] ?? 'qemu-system-x86_64';
  const report = await probe({
    qemu,
    ...(options.qemuImg ? { qemuImg: options.qemuImg } : {}),
    ...(options.moduleDir ? { moduleDir: options.moduleDir } : {}),
  });
  const available = Object.entries(report.results)
    .filter(([, r]) => r.ro !== 'unavailable')
    .map(([driver]) => driver);
  return { report, available };
}

/**
 * A driver hidden by the whitelist from `-drive format=help` and absent from `qemu-img --help` (blkreplay is
 * system-only) is invisible to inspect; the probe proves it is built.
 */
function withProbedDrivers(profile: Profile, available: string[]): Profile {
  const fromModules = new Set(profile.qemu.modules.flatMap((m) => m.drivers));
  const builtin = [
    ...new Set([...profile.qemu.drivers.builtin, ...available.filter((d) => !fromModules.has(d))]),
  ].sort();
  return { ...profile, qemu: { ...profile.qemu, drivers: { ...profile.qemu.drivers, builtin } } };
}

/** What the running build really does, driver by driver, where it disagrees with the expected profile. */
async function probeDrift(
  report: Awaited<ReturnType<typeof import('../host/probe.js').probeBuild>>,
  expected: Profile,
): Promise<Difference[]> {
  const { diffProbe } = await import('../host/probe-diff.js');
  return diffProbe(report, expected).map((d) => ({
    area: 'probe',
    subject: `${d.driver} (${d.access})`,
    change: 'changed',
    from: d.expected,
    to: d.probed,
  }));
}
