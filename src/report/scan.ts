/** What `scan` prints per image and at the end: the text line, the streamed line of each format, the summary. */
import type { Verdict } from '../model/result.js';
import type { OutputFormat, Subject } from './format.js';
import { githubCommands } from './github.js';
import { verdictWord } from './image.js';
import type { Paint } from './paint.js';

/** What a judged image adds to the summary, and its line of output. */
export interface Judged {
  path: string;
  line: string;
  verdict: Verdict;
  /** Codes of the error and warning findings, errors first. */
  codes: string[];
  /** How many of them are errors. */
  errors: number;
  /** How many are warnings. */
  warnings: number;
  failed: boolean;
  /** The image as a report subject, for junit, sarif and github. */
  subject?: Subject;
}

/** The streamed line of one image in each format (none for junit and sarif, which print one document at the end). */
export function lineOf(format: OutputFormat, r: Judged, paint: Paint): string | undefined {
  if (format === 'json') return r.line;
  if (format === 'text') return r.failed || r.codes.length > 0 ? textLine(r, paint) : undefined;
  if (format === 'github' && r.subject && r.subject.issues.length > 0)
    return githubCommands({ suite: '', cwd: '', subjects: [r.subject] });
  return undefined;
}

function textLine(r: Judged, paint: Paint): string {
  const codes = r.codes.map((code, i) => (i < r.errors ? paint.red(code) : paint.yellow(code)));
  return `${verdictWord(r.verdict, paint)}  ${r.path}${codes.length > 0 ? `  ${[...new Set(codes)].join(', ')}` : ''}${r.errors > 0 && r.verdict !== 'fails' ? paint.dim('  (error)') : ''}`;
}

export class Summary {
  images = 0;
  failed = 0;
  warnings = 0;
  readonly verdicts = new Map<string, number>();
  readonly codes = new Map<string, number>();

  add(r: Judged): void {
    this.images++;
    if (r.failed) this.failed++;
    if (r.warnings > 0) this.warnings++;
    this.verdicts.set(r.verdict, (this.verdicts.get(r.verdict) ?? 0) + 1);
    for (const code of new Set(r.codes)) this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
  }

  text(paint: Paint): string {
    const verdicts = [...this.verdicts].map(([v, n]) => `${n} ${v}`).join(', ');
    const codes = [...this.codes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c, n]) => `  ${c}: ${n}`);
    return [
      `${paint.bold('scanned')} ${this.images} images; verdict: ${verdicts || 'none'}; ${this.failed} fail the check (an error finding or the verdict)`,
      ...(codes.length > 0 ? ['images by finding (errors and warnings):', ...codes] : []),
    ].join('\n');
  }
}
