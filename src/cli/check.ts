import { resolve } from 'node:path';
import { loadProfile } from '../host/profiles.js';
import { factsReader } from '../host/facts.js';
import { planCommand } from '../plan/plan.js';
import { evaluate } from '../engine/evaluate.js';
import { checkJson } from '../report/json.js';
import { checkText } from '../report/text.js';
import { paintFor } from '../report/paint.js';
import type { Verdict } from '../model/result.js';

const EXIT: Record<Verdict, number> = { opens: 0, 'opens-read-only': 0, fails: 1 };

export async function runCheck(command: string[], options: { profile?: string; json?: boolean; cwd: string }): Promise<void> {
  const profile = await loadProfile(options.profile);
  const plan = planCommand(command, profile, factsReader(resolve(options.cwd)));
  const result = evaluate(plan, profile);
  process.stdout.write(`${options.json ? checkJson(result) : checkText(result, paintFor(process.stdout, process.env))}\n`);
  process.exitCode = EXIT[result.verdict];
}
