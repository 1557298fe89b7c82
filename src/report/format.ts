/**
 * The one --format selector: a command turns its result into a FindingsReport (subjects, each with its issues),
 * and every machine format is drawn from that; text and json stay each command's own renderers.
 */
import type { Severity } from '../findings/finding.js';
import { InputError } from '../errors.js';
import { findingsJunit } from './junit.js';
import { sarifLog, type ToolMeta } from './sarif.js';
import { githubCommands } from './github.js';

export const OUTPUT_FORMATS = ['text', 'json', 'junit', 'sarif', 'github'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * gate, diff and verify compare facts of builds, or a prediction with reality: nothing they report has a place in
 * a file, which a SARIF result for code scanning needs. github annotates the CI run instead.
 */
export const COMPARISON_FORMATS: readonly OutputFormat[] = ['text', 'json', 'junit', 'github'];

/** One thing a finding can be about, worded: a catalog finding, or drift / disagreement with a code of its own. */
export interface Issue {
  code: string;
  severity: Severity;
  title: string;
  message: string;
  fix?: string;
  /** docs/findings/CODE.md; only catalog findings have one (and only they become SARIF rules). */
  docs?: string;
  /** BlockNode id (check) or chain filename (image). */
  node?: string;
  step?: string;
  /** A local file the issue is about, relative to the report's cwd or absolute. */
  file?: string;
  /** 1-based line in `file` (explain --log). */
  line?: number;
}

/** A drive, an image, a pipeline step, a fact area or a run: one JUnit test case, one SARIF logical location. */
export interface Subject {
  name: string;
  kind: 'drive' | 'image' | 'step' | 'area' | 'run';
  /** The file the subject is (an image path, a domain XML). */
  file?: string;
  issues: Issue[];
  /** The verdict or an error finding fails it; computed by the command, with --strict warnings too. */
  failed: boolean;
}

export interface FindingsReport {
  /** JUnit suite name and SARIF automation id: "blockgate check rhel-7". */
  suite: string;
  /** The folder relative file names start from (absolute). */
  cwd: string;
  subjects: Subject[];
}

/**
 * --format, with --json kept as its alias (docs/json-output.md). `allowed` narrows the list for commands whose
 * result is not findings about files (gate, diff, verify have no SARIF).
 */
export function parseFormat(
  options: { format?: string; json?: boolean },
  allowed: readonly OutputFormat[] = OUTPUT_FORMATS,
): OutputFormat {
  if (options.json && options.format !== undefined && options.format !== 'json') {
    throw new InputError(`--json and --format ${options.format} contradict each other: give one`);
  }
  const format = options.json ? 'json' : (options.format ?? 'text');
  if ((allowed as readonly string[]).includes(format)) return format as OutputFormat;
  const known = (OUTPUT_FORMATS as readonly string[]).includes(format);
  throw new InputError(
    known
      ? `--format ${format} does not fit this command's result: use ${words(allowed)}`
      : `unknown --format '${format}': use ${words(allowed)}`,
  );
}

function words(list: readonly string[]): string {
  return list.length < 2 ? list.join('') : `${list.slice(0, -1).join(', ')} or ${list.at(-1)}`;
}

/** text and json are the command's own; junit, sarif and github come from its FindingsReport. */
export function render(
  format: OutputFormat,
  report: () => FindingsReport,
  own: { text: () => string; json: () => string },
  meta: () => ToolMeta,
): string {
  switch (format) {
    case 'text':
      return own.text();
    case 'json':
      return own.json();
    case 'junit':
      return findingsJunit(report());
    case 'sarif':
      return sarifLog(report(), meta());
    case 'github':
      return githubCommands(report());
  }
}

/** 0 ok, 1 fails; --strict also fails on a warning (infos never fail). */
export function exitStatus(
  failed: boolean,
  issues: readonly { severity: Severity }[],
  strict: boolean | undefined,
): 0 | 1 {
  return failed || (strict === true && issues.some((i) => i.severity === 'warning' || i.severity === 'error')) ? 1 : 0;
}

/** A subject fails on an error issue, or with --strict on a warning. */
export function failsOn(issues: readonly { severity: Severity }[], strict: boolean | undefined): boolean {
  return issues.some((i) => i.severity === 'error' || (strict === true && i.severity === 'warning'));
}
