import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadProfile } from '../host/profiles.js';
import { factsReader } from '../host/facts.js';
import { planCommand } from '../plan/plan.js';
import { evaluate } from '../engine/evaluate.js';
import { evaluateStack } from '../engine/stack.js';
import { checkJson } from '../report/json.js';
import { checkText } from '../report/text.js';
import { stackJson, stackText } from '../report/stack.js';
import { paintFor } from '../report/paint.js';
import { InputError } from '../errors.js';
import type { Profile } from '../model/profile.js';
import type { StackPlan } from '../model/stack.js';
import type { StackContext } from '../stack/context.js';
import type { Verdict } from '../model/result.js';

const EXIT: Record<Verdict, number> = { opens: 0, 'opens-read-only': 0, fails: 1 };

export interface CheckOptions {
  profile?: string;
  json?: boolean;
  cwd: string;
  domain?: string;
}

export async function runCheck(command: string[], options: CheckOptions): Promise<void> {
  const profile = await loadProfile(options.profile);
  const facts = factsReader(resolve(options.cwd));
  const stack = await stackPlan(command, options, { profile, facts, env: process.env });
  if (stack) return printStack(stack, profile, options);
  const result = evaluate(planCommand(command, profile, facts), profile);
  process.stdout.write(`${options.json ? checkJson(result) : checkText(result, paintFor(process.stdout, process.env))}\n`);
  process.exitCode = EXIT[result.verdict];
}

/** A domain XML, a libguestfs tool or virt-v2v: programs above QEMU, planned as pipelines. */
async function stackPlan(command: string[], options: CheckOptions, ctx: StackContext): Promise<StackPlan | undefined> {
  if (options.domain !== undefined) {
    if (command.length > 0) throw new InputError('give either --domain FILE or a command after --, not both');
    return (await import('../stack/libvirt/plan.js')).planDomain(readInput(options.domain), ctx);
  }
  const program = (command[0] ?? '').replace(/^.*\//, '');
  if (program === 'virt-v2v') return (await import('../stack/v2v/plan.js')).planV2v(command, ctx);
  const libguestfs = await import('../stack/libguestfs/plan.js');
  if (libguestfs.LIBGUESTFS_TOOLS.includes(program)) return libguestfs.planLibguestfs(command, ctx);
  return undefined;
}

function printStack(plan: StackPlan, profile: Profile, options: CheckOptions): void {
  const result = evaluateStack(plan, profile);
  process.stdout.write(`${options.json ? stackJson(result) : stackText(result, paintFor(process.stdout, process.env))}\n`);
  process.exitCode = EXIT[result.verdict];
}

/** A file, or `-` for standard input (virsh dumpxml guest | blockgate check --domain -). */
function readInput(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${path === '-' ? 'standard input' : path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
