import type { Profile } from '../model/profile.js';
import type { StackPlan, StackResult, StackStep, StepResult } from '../model/stack.js';
import type { Verdict } from '../model/result.js';
import { evaluate } from './evaluate.js';

const RANK: Record<Verdict, number> = { opens: 0, 'opens-read-only': 1, fails: 2 };

/** Judges every step of a pipeline: its own layer's findings, then its QEMU command through the QEMU layers. */
export function evaluateStack(plan: StackPlan, profile: Profile): StackResult {
  const steps = plan.steps.map((step) => judgeStep(step, profile));
  return {
    plan,
    profile: profile.name,
    verdict: worst(steps.map((s) => s.verdict)),
    steps,
    findings: steps.flatMap((s) => s.findings),
  };
}

function judgeStep(step: StackStep, profile: Profile): StepResult {
  const check = step.qemu ? evaluate(step.qemu, profile) : undefined;
  const findings = [...step.findings, ...(check?.findings ?? [])].map((f) => ({ ...f, step: step.id }));
  const refused = step.findings.some((f) => f.severity === 'error');
  const verdict = worst([refused ? 'fails' : 'opens', check?.verdict ?? 'opens']);
  return { step, ...(check ? { check } : {}), verdict, findings };
}

function worst(verdicts: Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((a, b) => (RANK[b] > RANK[a] ? b : a), 'opens');
}
