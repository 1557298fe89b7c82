import { resolve } from 'node:path';
import { loadProfile } from '../host/profiles.js';
import { factsReader } from '../host/facts.js';
import { trialOpen } from '../host/trial-open.js';
import { planCommand } from '../plan/plan.js';
import { evaluate } from '../engine/evaluate.js';
import { compareWithReality } from '../engine/reality.js';
import { verifyJson, verifyText } from '../report/verify.js';
import { COMPARISON_FORMATS, parseFormat, type FindingsReport } from '../report/format.js';
import { InputError } from '../errors.js';
import { printResult } from './output.js';

/** Options that would let the real program do more than open its disks; verify refuses them rather than guess. */
const UNSAFE = ['-daemonize', '-incoming', '-loadvm', '-qmp', '-monitor', '-mon'];

/** Runs the real hypervisor paused with no guest code, asks QMP what opened, and holds it against the prediction. */
export async function runVerify(
  command: string[],
  options: { profile?: string; json?: boolean; format?: string; cwd: string },
): Promise<void> {
  const format = parseFormat(options, COMPARISON_FORMATS);
  const profile = await loadProfile(options.profile);
  const cwd = resolve(options.cwd);
  const plan = planCommand(command, profile, factsReader(cwd));
  if (plan.kind !== 'hypervisor')
    throw new InputError(`verify runs qemu-system-* or qemu-kvm only: ${plan.program} may write to its images`);
  const unsafe = command.find((a) => UNSAFE.includes(a.replace(/^--/, '-')));
  if (unsafe) throw new InputError(`verify does not run commands with ${unsafe}: remove it to check the disks`);
  const [program = '', ...args] = command;
  const predicted = evaluate(plan, profile);
  const real = await trialOpen(program, args, { cwd, timeoutMs: 30_000, trace: true });
  if (real.exitCode === 127 || (real.exitCode === null && !real.started && real.stderr === '')) {
    throw new InputError(`could not run ${program}`);
  }
  const report = { program, predicted, real, agreement: compareWithReality(predicted, real) };
  // junit: one test case, the prediction matches the real program; github: one ::error per difference.
  const findings = (): FindingsReport => ({
    suite: `blockgate verify ${profile.name}`,
    cwd,
    subjects: [
      {
        name: `prediction on ${profile.name} matches ${program}`,
        kind: 'run',
        failed: !report.agreement.agree,
        issues: report.agreement.differences.map((d) => ({
          code: 'prediction-differs',
          severity: 'error' as const,
          title: `Prediction differs from ${program}`,
          message: d,
        })),
      },
    ],
  });
  printResult(format, findings, { text: (paint) => verifyText(report, paint), json: () => verifyJson(report) });
  process.exitCode = report.agreement.agree ? 0 : 1;
}
