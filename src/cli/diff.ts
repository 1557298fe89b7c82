import { loadProfile } from '../host/profiles.js';
import { diffProfiles } from '../engine/profile-diff.js';
import { diffJson, diffText } from '../report/diff.js';
import { diffJunit } from '../report/junit.js';
import { paintFor } from '../report/paint.js';
import { InputError } from '../errors.js';

export type DiffFormat = 'text' | 'json' | 'junit';

export function checkFormat(format: string): DiffFormat {
  if (format === 'text' || format === 'json' || format === 'junit') return format;
  throw new InputError(`unknown --format '${format}': use text, json or junit`);
}

/** Exit status as diff(1): 0 the same, 1 different. */
export async function runDiff(a: string, b: string, options: { format: string }): Promise<void> {
  const format = checkFormat(options.format);
  const [from, to] = await Promise.all([loadProfile(a), loadProfile(b)]);
  const diffs = diffProfiles(from, to);
  const out = format === 'json' ? diffJson(from.name, to.name, diffs)
    : format === 'junit' ? diffJunit(`blockgate diff ${from.name} ${to.name}`, from.name, diffs)
    : diffText(from.name, to.name, diffs, paintFor(process.stdout, process.env));
  process.stdout.write(`${out}\n`);
  process.exitCode = diffs.length === 0 ? 0 : 1;
}
