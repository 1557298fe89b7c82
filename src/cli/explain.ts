import { InputError } from '../errors.js';
import { loadProfile } from '../host/profiles.js';
import { explain, type ExplainResult, type Explanation } from '../explain/explain.js';
import { explainJson, explainText, unknownText } from '../report/explain.js';
import { exitStatus, failsOn, parseFormat, type FindingsReport, type Issue } from '../report/format.js';
import { printResult } from './output.js';
import { readInput } from './read-input.js';

export interface ExplainOptions {
  log?: string;
  profile?: string;
  json?: boolean;
  format?: string;
  strict?: boolean;
}

/**
 * Exit status: 0 when at least one message was explained, 1 when none was. Explained messages are errors that
 * already happened, so they do not fail the run; --strict does not change that either.
 */
export async function runExplain(message: string[], options: ExplainOptions): Promise<void> {
  const format = parseFormat(options);
  const text = input(message, options.log);
  const profile = await loadProfile(options.profile);
  const result = explain(text, profile, { numbered: options.log !== undefined });
  const nothing = result.explained.length === 0 && result.recognised.length === 0;
  printResult(format, () => explainReport(result, options.log), {
    text: (paint) => (nothing ? unknownText(text) : explainText(result, paint, profile.qemu.version)),
    json: () => explainJson(result),
  });
  process.exitCode = exitStatus(result.explained.length === 0, [], options.strict);
}

/** One subject per explained message (a log line, or the message), its cause as the issue. */
function explainReport(result: ExplainResult, log: string | undefined): FindingsReport {
  const subjects = result.explained.map((e) => {
    const issues = [explanationIssue(e, log)];
    return {
      name: e.line !== undefined ? `line ${e.line}: ${e.program}` : e.program,
      kind: 'run' as const,
      issues,
      failed: failsOn(issues, false),
    };
  });
  return { suite: `blockgate explain ${result.profile}`, cwd: process.cwd(), subjects };
}

function explanationIssue(e: Explanation, log: string | undefined): Issue {
  return {
    code: e.code,
    severity: e.severity,
    title: e.title,
    message: `${e.cause} (${e.text})`,
    fix: e.fixes.join('; '),
    docs: e.docs,
    ...(log !== undefined && log !== '-' ? { file: log, ...(e.line ? { line: e.line } : {}) } : {}),
  };
}

function input(message: string[], log: string | undefined): string {
  if (log !== undefined && message.length > 0) throw new InputError('give either a message or --log FILE, not both');
  if (log === undefined) {
    if (message.length === 0)
      throw new InputError(
        'give the message to explain (blockgate explain "MESSAGE"), or --log FILE (- for standard input)',
      );
    return message.join(' ');
  }
  return readInput(log);
}
