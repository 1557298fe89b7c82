import type { FindingCode, Layer, Severity } from '../findings/finding.js';
import type { Profile } from '../model/profile.js';
import { CATALOG, docsPath } from '../findings/catalog.js';
import type { Said, SaidKind } from './said.js';
import { scanLines } from './recognise.js';
import { resolve } from './resolve.js';
import { fixesFor, notesFor } from './wording.js';

/** One message, explained for one profile. The JSON shape is documented in docs/json-output.md (`blockgate explain`). */
export interface Explanation {
  /** 1-based line of a log; absent for a message given on the command line. */
  line?: number;
  text: string;
  program: string;
  code: FindingCode;
  layer: Layer;
  severity: Severity;
  args: Record<string, string>;
  title: string;
  /** The catalog's explanation of the code. */
  cause: string;
  /** What the profile says about the case: the driver not built at all, on the read-only list only, ... */
  notes: string[];
  fixes: string[];
  docs: string;
}

/** A message blockgate recognises but whose layer has no finding code yet. */
export interface Recognised {
  line?: number;
  text: string;
  program: string;
  kind: SaidKind;
}

export interface ExplainResult {
  profile: string;
  explained: Explanation[];
  recognised: Recognised[];
}

/** A message as given (its lines joined by newlines), or a log, where each message keeps its line number. */
export function explain(text: string, profile: Profile, { numbered }: { numbered: boolean }): ExplainResult {
  const explained: Explanation[] = [];
  const recognised: Recognised[] = [];
  for (const { line, said } of scanLines(text.split(/\r?\n/))) {
    const at = numbered ? { line } : {};
    const one = explainSaid(said, profile);
    if (one) explained.push({ ...at, ...one });
    else recognised.push({ ...at, text: said.text, program: said.program, kind: said.kind });
  }
  return { profile: profile.name, explained, recognised };
}

export function explainSaid(said: Said, profile: Profile): Omit<Explanation, 'line'> | undefined {
  const resolved = resolve(said, profile);
  if (!resolved) return undefined;
  const { code, args } = resolved;
  const entry = CATALOG[code];
  const subject = { said, args, profile };
  return {
    text: said.text,
    program: said.program,
    code,
    layer: resolved.layer,
    severity: resolved.severity,
    args,
    title: entry.title,
    cause: entry.explain(args),
    notes: notesFor(code, subject),
    fixes: fixesFor(code, subject),
    docs: docsPath(code),
  };
}
