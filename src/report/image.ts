import type { ChainNode } from '../model/chain.js';
import type { Verdict } from '../model/result.js';
import type { Finding, Severity } from '../findings/finding.js';
import { CATALOG, docsPath } from '../findings/catalog.js';
import type { ImageFinding } from '../image/safety.js';
import type { ImageJudgement } from '../image/judgement.js';
import type { Paint } from './paint.js';
import { JSON_FORMAT_VERSION } from './json.js';
import { failsOn, type Subject } from './format.js';

/** One image as a report subject: the image file is where every finding of its chain points. */
export function imageSubject(j: ImageJudgement, strict?: boolean, findings: ReportedFinding[] = reported(j)): Subject {
  const issues = findings.map((f) => ({
    code: f.code,
    severity: f.severity,
    title: f.title,
    message: f.message,
    docs: f.docs,
    ...(f.fix ? { fix: f.fix } : {}),
    ...(f.node ? { node: f.node } : {}),
  }));
  return { name: j.path, kind: 'image', file: j.path, issues, failed: failed(j, findings) || failsOn(issues, strict) };
}

/** An error finding, or a verdict that fails, fails the image. */
export function failed(j: ImageJudgement, findings: readonly { severity: Severity }[] = shown(j)): boolean {
  return j.check.verdict === 'fails' || findings.some((f) => f.severity === 'error');
}

export interface ReportedFinding {
  code: string;
  severity: Severity;
  node?: string;
  args: Record<string, string>;
  title: string;
  message: string;
  fix: string;
  docs: string;
}

/** Engine codes the image findings already say better (format-probed, raw-probed: image-format-probed and QEMU's own warning in messages). */
const COVERED = new Set(['format-probed', 'raw-probed', 'backing-loop']);

/** The image findings, then the engine's findings about opening it that they do not repeat. */
export function shown(j: ImageJudgement): (ImageFinding | Finding)[] {
  const engine = j.check.findings.filter((f) => !COVERED.has(f.code));
  return engine.length === 0 ? j.findings : [...j.findings, ...engine];
}

/** The shown findings with their wording. */
export function reported(j: ImageJudgement): ReportedFinding[] {
  return shown(j).map((f) => ({ ...f, ...wording(f) }));
}

type Entry = (typeof CATALOG)[keyof typeof CATALOG];
type Wording = Pick<ReportedFinding, 'title' | 'message' | 'fix' | 'docs'>;

/**
 * A scan words the same finding with the same arguments thousands of times (image-format-probed on every
 * image): each wording is made, and serialized, once per run.
 */
const wordings = new Map<string, { wording: Wording; json: string }>();

function worded(f: ImageFinding | Finding): { wording: Wording; json: string } {
  const key = `${f.code}\0${Object.values(f.args).join('\0')}`;
  let known = wordings.get(key);
  if (!known) {
    const made = wordingOf(f);
    known = { wording: made, json: JSON.stringify(made) };
    wordings.set(key, known);
  }
  return known;
}

const wording = (f: ImageFinding | Finding): Wording => worded(f).wording;

function wordingOf(f: ImageFinding | Finding): Wording {
  const entry = (CATALOG as Partial<Record<string, Entry>>)[f.code];
  // Until the image codes are in the catalog, their arguments stand in for the sentence.
  if (!entry)
    return {
      title: f.code,
      message: Object.entries(f.args)
        .filter(([, v]) => v)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; '),
      fix: '',
      docs: `docs/findings/${f.code}.md`,
    };
  return {
    title: entry.title,
    message: entry.explain(f.args),
    fix: entry.fix(f.args),
    docs: docsPath(f.code as keyof typeof CATALOG),
  };
}

/** One image as `image --json` and `scan --json` print it. */
export function imageRecord(j: ImageJudgement, findings: ReportedFinding[] = reported(j)): Record<string, unknown> {
  return { ...recordHead(j), findings };
}

function recordHead(j: ImageJudgement): Record<string, unknown> {
  return {
    blockgate: JSON_FORMAT_VERSION,
    path: j.path,
    profile: j.check.profile,
    chain: j.chain.chain,
    ...(j.chain.error ? { chainError: j.chain.error } : {}),
    command: j.command,
    verdict: j.check.verdict,
    messages: j.check.messages,
  };
}

/**
 * JSON.stringify(imageRecord(j)) on one line, built from pieces: the wording part of each finding is
 * serialized once per run (test/integration/hostile-images.test.ts holds the two equal).
 */
export function imageLine(j: ImageJudgement, findings: (ImageFinding | Finding)[] = shown(j)): string {
  const parts = findings.map((f) => `${JSON.stringify(f).slice(0, -1)},${worded(f).json.slice(1)}`);
  return `${JSON.stringify(recordHead(j)).slice(0, -1)},"findings":[${parts.join(',')}]}`;
}

const VERDICT_WORDS: Record<Verdict, string> = { opens: 'OPENS', 'opens-read-only': 'OPENS READ-ONLY', fails: 'FAILS' };

export function verdictWord(verdict: Verdict, paint: Paint): string {
  const word = VERDICT_WORDS[verdict];
  return verdict === 'fails' ? paint.red(word) : verdict === 'opens' ? paint.green(word) : paint.yellow(word);
}

export function severityWord(severity: Severity, paint: Paint): string {
  return severity === 'error'
    ? paint.red('error')
    : severity === 'warning'
      ? paint.yellow('warning')
      : paint.dim('info');
}

/** The chain top to base, the verdict, what QEMU prints, then the findings with their pages. */
export function imageText(j: ImageJudgement, paint: Paint): string {
  const lines = [paint.bold(j.path), ...chainLines(j.chain.chain, paint)];
  if (j.chain.error) lines.push(`  ${paint.dim(`(chain ends: ${j.chain.error})`)}`);
  lines.push(
    `${paint.bold('verdict')}: ${verdictWord(j.check.verdict, paint)} read-write on ${j.check.profile}  ${paint.dim(`(${j.command.join(' ')})`)}`,
  );
  if (j.check.messages.length > 0)
    lines.push(`${j.check.plan.program} would print:`, ...j.check.messages.map((m) => `  ${m}`));
  const findings = reported(j);
  if (findings.length > 0) {
    lines.push(paint.bold('findings:'));
    for (const f of findings) {
      lines.push(`  ${severityWord(f.severity, paint)} ${f.code}${f.node ? ` [${f.node}]` : ''}: ${f.message}`);
      if (f.fix) lines.push(`      fix: ${f.fix}`);
      lines.push(`      see: ${f.docs}`);
    }
  }
  return lines.join('\n');
}

function chainLines(chain: ChainNode[], paint: Paint): string[] {
  return chain.flatMap((node, i) => {
    // Deep chains stop indenting after 8 levels, so that a 256-deep chain stays readable.
    const indent = i === 0 ? '  ' : `  ${'   '.repeat(Math.min(i, 8) - 1)}   `;
    const size = node.virtualSize !== undefined ? `  ${humanSize(node.virtualSize)}` : '';
    const out = [`${indent}${node.filename}  ${paint.bold(node.format)}${size}${node.encrypted ? '  encrypted' : ''}`];
    if (node.dataFile !== undefined) out.push(`${indent}   data file '${node.dataFile}'`);
    for (const extent of node.extents ?? []) out.push(`${indent}   extent '${extent}'`);
    if (node.backingFile !== undefined) {
      const resolved =
        node.backingFileResolved && node.backingFileResolved !== node.backingFile
          ? ` → ${node.backingFileResolved}`
          : '';
      const format = node.backingFormat ? `format ${node.backingFormat}` : paint.yellow('format not recorded');
      out.push(`${indent}└─ backing '${node.backingFile}'${resolved} (${format})`);
    }
    return out;
  });
}

function humanSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${u === 0 ? n : Number(n.toFixed(2))} ${units[u]}`;
}
