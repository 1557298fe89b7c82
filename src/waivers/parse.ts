/**
 * A waiver file (or the `waivers:` key of a profile file) to typed waivers with their lines. Pure: text in, waivers
 * or a PolicyError out, worded `FILE:LINE: field 'expires': must be a date YYYY-MM-DD`, which the CLI prints as one
 * line with exit status 2.
 */
import { type Document, isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import { PolicyError } from '../errors.js';
import { FINDING_CODES, type FindingCode } from '../findings/finding.js';
import { type Path, type Problem, problemOf, type Validator } from './schema-errors.js';
import { WAIVER_FIELDS, type Waiver } from './waiver.js';

export type { Validator };

/** A file of its own: `waivers:` (and `$schema:`) at the top, as policies/waivers.schema.json says. */
export function parseWaiverFile(text: string, file: string, validate: Validator): Waiver[] {
  const { doc, lines } = readYaml(text, file);
  return waiversOf(doc.toJS(), { doc, lines, file }, validate);
}

/**
 * The `waivers:` key of a profile file, checked and worded as in a waiver file; the rest of the profile is
 * policies/schema.json's business.
 */
export function parseProfileWaivers(text: string, file: string, validate: Validator): Waiver[] {
  const { doc, lines } = readYaml(text, file);
  const data: unknown = doc.toJS();
  const list = isRecord(data) ? data['waivers'] : undefined;
  return list === undefined ? [] : waiversOf({ waivers: list }, { doc, lines, file }, validate);
}

interface Source {
  doc: Document;
  lines: LineCounter;
  file: string;
}

function readYaml(text: string, file: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  // YAML 1.2 (the default) keeps 2025-06-30 a string, so expires: needs no quotes.
  const doc = parseDocument(text, { lineCounter: lines });
  const error = doc.errors[0];
  if (error) {
    const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new PolicyError(`${file}:${error.linePos?.[0].line ?? 1}: ${message}`);
  }
  return { doc, lines };
}

function waiversOf(data: unknown, source: Source, validate: Validator): Waiver[] {
  if (!validate(data)) {
    const problems = (validate.errors ?? []).map(problemOf);
    // With ajv's allErrors the first problem in the file is the one to fix first.
    const rank = (p: Problem) => lineOf(source, p.path) * 2 + (p.unknownField ? 0 : 1);
    const first = problems.sort((a, b) => rank(a) - rank(b))[0];
    fail(source, first ?? { path: [], message: 'is not a waiver file' });
  }
  const items = (data as { waivers: Record<string, string>[] }).waivers;
  return items.map((item, i) => waiver(item, ['waivers', i], source));
}

function waiver(item: Record<string, string>, path: Path, source: Source): Waiver {
  const code = item['code'] ?? '';
  if (!(FINDING_CODES as readonly string[]).includes(code)) {
    fail(source, {
      path: [...path, 'code'],
      field: 'code',
      message: `unknown finding code '${code}' (docs/findings/README.md lists them)`,
    });
  }
  const expires = item['expires'];
  if (expires !== undefined && !isCalendarDate(expires)) {
    fail(source, {
      path: [...path, 'expires'],
      field: 'expires',
      message: `'${expires}' is not a day of the calendar`,
    });
  }
  const given = WAIVER_FIELDS.filter((key) => item[key] !== undefined).map((key) => [key, item[key]]);
  return {
    ...(Object.fromEntries(given) as Omit<Waiver, 'file' | 'line'>),
    code: code as FindingCode,
    file: source.file,
    line: lineOf(source, path),
  };
}

function fail(source: Source, problem: Problem): never {
  const field = problem.field === undefined ? '' : `field '${problem.field}': `;
  throw new PolicyError(`${source.file}:${lineOf(source, problem.path)}: ${field}${problem.message}`);
}

/** The line of a key (for a field) or of a node (a list item), else of the nearest enclosing node that has one. */
function lineOf(source: Source, path: Path): number {
  const { doc, lines } = source;
  const last = path.at(-1);
  const parent = path.length <= 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (typeof last === 'string' && isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
    if (isNode(pair?.key) && pair.key.range) return lines.linePos(pair.key.range[0]).line;
  }
  const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  return path.length === 0 ? 1 : lineOf(source, path.slice(0, -1));
}

function isCalendarDate(text: string): boolean {
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
