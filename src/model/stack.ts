/** Pipelines above QEMU: libvirt starting qemu, libguestfs's appliance, virt-v2v's nbdkit/qemu-nbd/qemu-img steps. */
import type { Finding } from '../findings/finding.js';
import type { Plan } from './node.js';
import type { CheckResult, Verdict } from './result.js';

/** One program of a pipeline, with the rules of its own layer and the QEMU command it amounts to. */
export interface StackStep {
  /** Short label, unique in the pipeline: "libvirt", "appliance", "nbdkit curl", "output". */
  id: string;
  /** The program that runs the step, as it names itself in messages (virt-v2v, nbdkit, qemu-kvm, ...). */
  program: string;
  /** What the step does, in one line. */
  summary: string;
  /** Findings of the step's own layer (libvirt, libguestfs, virt-v2v, nbdkit); `step` is filled in by evaluateStack. */
  findings: Finding[];
  /** Exactly what the step's program prints when its own layer refuses (before QEMU is reached). */
  messages?: string[];
  /** The QEMU command line the step makes, judged by the QEMU layers; absent when no QEMU runs in the step. */
  qemu?: Plan;
}

export interface StackPlan {
  /** The program the user typed: libvirt (a domain XML), guestfish/virt-*, virt-v2v. */
  tool: string;
  steps: StackStep[];
}

export interface StepResult {
  step: StackStep;
  /** The QEMU layers' judgement of step.qemu. */
  check?: CheckResult;
  verdict: Verdict;
  /** The step's own findings and its QEMU findings, each with `step` set. */
  findings: Finding[];
}

export interface StackResult {
  plan: StackPlan;
  profile: string;
  /** Worst verdict of all steps: every problem of the plan is reported, not only the first. */
  verdict: Verdict;
  steps: StepResult[];
  findings: Finding[];
}
