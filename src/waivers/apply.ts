/**
 * Waivers applied to a run's findings. Pure: today's date comes in, so an expiry is tested like anything else.
 * A waived finding keeps its code and severity and gains `waived`; it only stops counting for the exit status.
 */
import picomatch from 'picomatch';
import type { Finding } from '../findings/finding.js';
import { type FindingFacts, NARROWING_FIELDS, type Waived, type Waiver } from './waiver.js';

/** The least a finding needs to be waived: a Finding (check, stacks) and an image/safety.ts ImageFinding both fit. */
export interface Waivable {
  code: string;
  node?: string;
  args: Readonly<Record<string, string>>;
}

export interface ApplyOptions<F> {
  /** YYYY-MM-DD. A waiver is still valid on its `expires` day and expired from the day after. */
  today: string;
  /** The profile checked against and the program of the command line, for `profile:` and `program:`. */
  profile?: string;
  program?: string;
  /** --strict: a waiver that matched nothing is an error instead of an info. */
  strict?: boolean;
  /** Drive, image path and driver of a finding; without it, the drive is the node id up to its first '/'. */
  facts?: (finding: F) => FindingFacts;
}

export interface Applied<F> {
  /** The findings in their order, each one a live waiver matches marked with the first such waiver. */
  findings: (F & { waived?: Waived })[];
  /** waiver-expired and waiver-unused, in the waivers' order. */
  waiverFindings: Finding[];
}

export function applyWaivers<F extends Waivable>(
  findings: readonly F[],
  waivers: readonly Waiver[],
  options: ApplyOptions<F>,
): Applied<F> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.today)) throw new Error(`today must be YYYY-MM-DD, not '${options.today}'`);
  const live = waivers.filter((w) => !isExpired(w, options.today)).map((w) => ({ waiver: w, matches: matcher(w) }));
  const used = new Set<Waiver>();
  const marked = findings.map((finding) => {
    const about = { ...defaultFacts(finding), ...options.facts?.(finding), ...runFacts(options) };
    const hits = live.filter((l) => l.matches(finding, about)).map((l) => l.waiver);
    // Every waiver that matches is in use, so a narrower duplicate is not reported as stale.
    for (const hit of hits) used.add(hit);
    return hits[0] ? { ...finding, waived: waivedBy(hits[0]) } : finding;
  });
  const waiverFindings = waivers.flatMap((w): Finding[] => {
    if (isExpired(w, options.today)) return [expiredFinding(w)];
    return used.has(w) ? [] : [unusedFinding(w, options.strict === true)];
  });
  return { findings: marked, waiverFindings };
}

/** The findings that still count for the exit status and for failing a subject. */
export function counted<F extends { waived?: Waived }>(findings: readonly F[]): F[] {
  return findings.filter((f) => f.waived === undefined);
}

export function isExpired(waiver: Waiver, today: string): boolean {
  // YYYY-MM-DD strings order as the days do.
  return waiver.expires !== undefined && waiver.expires < today;
}

type About = FindingFacts & { profile?: string; program?: string };

function matcher(waiver: Waiver): (finding: Waivable, about: About) => boolean {
  // QEMU's paths are POSIX on every host; dot: a hidden folder on the way (.cache/) should not hide an image from **.
  const glob = waiver.image === undefined ? undefined : plainPath(waiver.image);
  const image = glob === undefined ? undefined : picomatch(glob, { dot: true, windows: false });
  return (finding, about) =>
    finding.code === waiver.code &&
    NARROWING_FIELDS.every((field) => {
      const want = waiver[field];
      if (want === undefined) return true;
      const have = about[field];
      if (have === undefined) return false;
      return field === 'image' && image ? image(plainPath(have)) : want === have;
    });
}

function defaultFacts(finding: Waivable): FindingFacts {
  return {
    ...(finding.node ? { node: finding.node, drive: finding.node.split('/')[0] } : {}),
    ...(finding.args['driver'] ? { driver: finding.args['driver'] } : {}),
  };
}

function runFacts<F>(options: ApplyOptions<F>): Pick<About, 'profile' | 'program'> {
  return {
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
    ...(options.program !== undefined ? { program: options.program } : {}),
  };
}

/** `./a.img` as `a.img`: reports show a path as the user wrote it, and picomatch would not match the `./`. */
function plainPath(path: string): string {
  return path.replace(/^(\.\/)+/, '');
}

function waivedBy(w: Waiver): Waived {
  return {
    reason: w.reason,
    ...(w.expires !== undefined ? { expires: w.expires } : {}),
    ...(w.owner !== undefined ? { owner: w.owner } : {}),
    file: w.file,
    line: w.line,
  };
}

function where(w: Waiver): Record<string, string> {
  return { code: w.code, file: w.file, line: String(w.line), reason: w.reason };
}

function expiredFinding(w: Waiver): Finding {
  return {
    code: 'waiver-expired',
    severity: 'warning',
    layer: 'input',
    args: { ...where(w), expires: w.expires ?? '' },
  };
}

function unusedFinding(w: Waiver, strict: boolean): Finding {
  const narrowing = NARROWING_FIELDS.filter((f) => w[f] !== undefined).map((f) => `${f}=${w[f]}`);
  return {
    code: 'waiver-unused',
    severity: strict ? 'error' : 'info',
    layer: 'input',
    args: { ...where(w), narrowing: narrowing.join(', ') },
  };
}
