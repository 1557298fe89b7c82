import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { loadProfile } from '../host/profiles.js';
import { explain } from '../explain/explain.js';
import { explainJson, explainText, unknownText } from '../explain/render.js';
import { paintFor } from '../report/paint.js';

export interface ExplainOptions {
  log?: string;
  profile?: string;
  json?: boolean;
  /** --format, when the CLI offers it: json is the same as --json; anything else prints text. */
  format?: string;
}

/** Exit status: 0 when at least one message was explained, 1 when none was. */
export async function runExplain(message: string[], options: ExplainOptions): Promise<void> {
  const text = input(message, options.log);
  const profile = await loadProfile(options.profile);
  const result = explain(text, profile, { numbered: options.log !== undefined });
  const json = options.json === true || options.format === 'json';
  const nothing = result.explained.length === 0 && result.recognised.length === 0;
  if (json) process.stdout.write(`${explainJson(result)}\n`);
  else process.stdout.write(`${nothing ? unknownText(text) : explainText(result, paintFor(process.stdout, process.env), profile.qemu.version)}\n`);
  process.exitCode = result.explained.length > 0 ? 0 : 1;
}

function input(message: string[], log: string | undefined): string {
  if (log !== undefined && message.length > 0) throw new InputError('give either a message or --log FILE, not both');
  if (log === undefined) {
    if (message.length === 0) throw new InputError('give the message to explain (blockgate explain "MESSAGE"), or --log FILE (- for standard input)');
    return message.join(' ');
  }
  try {
    return readFileSync(log === '-' ? 0 : log, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${log === '-' ? 'standard input' : log}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
