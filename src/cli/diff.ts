import { loadProfile } from '../host/profiles.js';
import { diffProfiles } from '../engine/profile-diff.js';
import { diffJson, diffText } from '../report/diff.js';
import { diffJunit, COMPARED } from '../report/junit.js';
import { githubCommands } from '../report/github.js';
import { driftReport } from '../report/subjects.js';
import { COMPARISON_FORMATS, parseFormat } from '../report/format.js';
import { paintFor } from '../report/paint.js';

/** Exit status as diff(1): 0 the same, 1 different. */
export async function runDiff(a: string, b: string, options: { format?: string; json?: boolean }): Promise<void> {
  const format = parseFormat(options, COMPARISON_FORMATS);
  const [from, to] = await Promise.all([loadProfile(a), loadProfile(b)]);
  const diffs = diffProfiles(from, to);
  const suite = `blockgate diff ${from.name} ${to.name}`;
  const out =
    format === 'json'
      ? diffJson(from.name, to.name, diffs)
      : format === 'junit'
        ? diffJunit(suite, from.name, diffs)
        : format === 'github'
          ? githubCommands(driftReport(suite, from.name, diffs, COMPARED, process.cwd()))
          : diffText(from.name, to.name, diffs, paintFor(process.stdout, process.env));
  if (out !== '') process.stdout.write(`${out}\n`);
  process.exitCode = diffs.length === 0 ? 0 : 1;
}
