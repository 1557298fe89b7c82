import type { Drive, Plan } from '../model/node.js';
import type { Profile } from '../model/profile.js';
import type { NodeFailure } from './evaluate.js';
import { nestedText, systemErrorLine, toolErrorLine } from './messages.js';

/** The stderr lines of the first failure, exactly as the real program prints them. */
export function printedError(plan: Plan, drive: Drive, failure: NodeFailure, profile: Profile): string[] {
  const text = nestedText([...failure.path, failure.node], failure.outcome.error ?? '');
  if (plan.kind === 'hypervisor') {
    return [systemErrorLine(profile.qemu, plan.program, drive.location, drive.root.filename, text)];
  }
  return [toolErrorLine(plan.program, drive.location, text)];
}
