import { relative, resolve } from 'node:path';
import { loadProfile } from '../host/profiles.js';
import { factsReader } from '../host/facts.js';
import { planCommand } from '../plan/plan.js';
import { evaluate } from '../engine/evaluate.js';
import { evaluateStack } from '../engine/stack.js';
import { checkJson } from '../report/json.js';
import { checkText } from '../report/text.js';
import { stackJson, stackText } from '../report/stack.js';
import { exitStatus, parseFormat } from '../report/format.js';
import { checkReport, stackReport } from '../report/subjects.js';
import { InputError } from '../errors.js';
import { commandEnv, splitEnvironment } from '../plan/environment.js';
import { printResult } from './output.js';
import { readInput } from './read-input.js';
import type { Profile } from '../model/profile.js';
import type { StackPlan } from '../model/stack.js';
import type { StackContext } from '../stack/context.js';
import type { Verdict } from '../model/result.js';

const FAILS: Record<Verdict, boolean> = { opens: false, 'opens-read-only': false, fails: true };

export interface CheckOptions {
  profile?: string;
  json?: boolean;
  /** text, json, junit, sarif or github (--json is --format json). */
  format?: string;
  /** Warnings fail too (exit 1). */
  strict?: boolean;
  cwd: string;
  domain?: string;
}

export async function runCheck(given: string[], options: CheckOptions): Promise<void> {
  const format = parseFormat(options);
  const prefix = splitEnvironment(given);
  const command = prefix.argv;
  const domainXml = options.domain === undefined ? undefined : readInput(options.domain);
  // Without --profile, a domain's <emulator> is the QEMU to inspect, next to this machine's libvirt.
  const profile =
    domainXml !== undefined && options.profile === undefined
      ? await (await import('../host/inspect-libvirt.js')).libvirtHostProfile(
          (await import('../stack/libvirt/xml.js')).parseDomainXml(domainXml).emulator,
        )
      : await loadProfile(options.profile);
  const cwd = resolve(options.cwd);
  const facts = factsReader(cwd);
  const stack = await stackPlan(
    command,
    { ...options, ...(domainXml !== undefined ? { domainXml } : {}) },
    { profile, facts, env: commandEnv(prefix, process.env) },
  );
  if (stack) return printStack(stack, profile, options);
  const result = evaluate(planCommand(command, profile, facts), profile);
  printResult(format, () => checkReport(result, cwd, options.strict), {
    text: (paint) => checkText(result, paint),
    json: () => checkJson(result),
  });
  process.exitCode = exitStatus(FAILS[result.verdict], result.findings, options.strict);
}

/** A domain XML, a libguestfs tool or virt-v2v: programs above QEMU, planned as pipelines. */
async function stackPlan(
  command: string[],
  options: CheckOptions & { domainXml?: string },
  ctx: StackContext,
): Promise<StackPlan | undefined> {
  if (options.domain !== undefined) {
    if (command.length > 0) throw new InputError('give either --domain FILE or a command after --, not both');
    return (await import('../stack/libvirt/plan.js')).planDomain(options.domainXml ?? readInput(options.domain), ctx);
  }
  const program = (command[0] ?? '').replace(/^.*\//, '');
  if (program === 'virt-v2v') return (await import('../stack/v2v/plan.js')).planV2v(command, ctx);
  // Every libguestfs tool is guestfish, guestmount or virt-*: a QEMU command line loads no planner above QEMU.
  if (!/^(guestfish|guestmount|virt-.+)$/.test(program)) return undefined;
  const libguestfs = await import('../stack/libguestfs/plan.js');
  return libguestfs.LIBGUESTFS_TOOLS.includes(program) ? libguestfs.planLibguestfs(command, ctx) : undefined;
}

function printStack(plan: StackPlan, profile: Profile, options: CheckOptions): void {
  const result = evaluateStack(plan, profile);
  const cwd = resolve(options.cwd);
  // File names in reports start from -C; the domain file was named from where blockgate runs.
  const domainFile =
    options.domain !== undefined && options.domain !== '-' ? relative(cwd, resolve(options.domain)) : undefined;
  printResult(parseFormat(options), () => stackReport(result, cwd, options.strict, domainFile), {
    text: (paint) => stackText(result, paint),
    json: () => stackJson(result),
  });
  process.exitCode = exitStatus(FAILS[result.verdict], result.findings, options.strict);
}
