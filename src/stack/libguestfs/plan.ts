import type { StackPlan, StackStep } from '../../model/stack.js';
import type { StackContext } from '../context.js';
import type { GuestfsDrive } from './drive.js';
import { chosenBackend } from './backend.js';
import { InputError } from '../../errors.js';
import { planAppliance } from './appliance.js';
import { parseToolArgs, type AddOption } from './args.js';
import { parseAddArgument } from './uri.js';
import { TOOL_SYNTAX } from './tools.js';
import { localFacts } from './overlay.js';
import type { GuestfsCaller } from './messages.js';

export type { GuestfsBackend, GuestfsDrive } from './drive.js';
export { planAppliance } from './appliance.js';
export type { GuestfsCaller } from './messages.js';

export const LIBGUESTFS_TOOLS: readonly string[] = Object.keys(TOOL_SYNTAX);

/** guestfish / virt-* ARGS: libguestfs's rules for each -a drive, the overlays of read-only drives, then the appliance's QEMU. */
export function planLibguestfs(argv: string[], ctx: StackContext): StackPlan {
  const program = (argv[0] ?? '').replace(/^.*\//, '');
  const syntax = TOOL_SYNTAX[program];
  if (!syntax) throw new InputError(`unknown libguestfs tool '${program}'`);
  const args = parseToolArgs(program, [...(syntax.guestfish ?? []), ...argv.slice(1)], syntax);
  if (args.domains.length > 0) {
    const guest = args.domains[0] ?? '';
    throw new InputError(
      `${program} -d ${guest} takes the disks from libvirt, which blockgate does not ask: name ` +
        `them with -a, or check the guest with: virsh dumpxml ${guest} | blockgate check --domain -`,
    );
  }
  if (args.adds.length === 0) throw new InputError(`${program}: no disk given: add one with -a IMAGE or -a URI`);
  const caller: GuestfsCaller = { program, family: syntax.family };
  ctx = { ...ctx, facts: preparedFacts(args.adds, ctx.facts) };
  const { backend } = chosenBackend(ctx.env, ctx.profile);
  const steps: StackStep[] = [];
  const drives: GuestfsDrive[] = [];
  for (const add of args.adds) {
    const drive = toDrive(add, args.readOnly);
    // C tools check local files while parsing -a (common/options option_a) and exit through error(3).
    const missing = syntax.family === 'c' && add.option === '-a' ? accessProblem(drive, ctx) : undefined;
    if (missing) {
      steps.push({
        id: `hd${drives.length}`,
        program,
        summary: `-a ${add.value}`,
        findings: missing.findings,
        messages: [`${program}: access: ${drive.filename}: ${missing.error}`],
      });
      return { tool: program, steps };
    }
    drives.push(drive);
  }
  return { tool: program, steps: [...uriHints(drives), ...planAppliance(drives, backend, ctx, caller)] };
}

/** guestfish -N creates its raw image before adding it. */
function preparedFacts(adds: AddOption[], facts: StackContext['facts']): StackContext['facts'] {
  const made = new Set(adds.filter((a) => a.option === '-N').map((a) => toDrive(a, false).filename));
  if (made.size === 0) return facts;
  return (name, literal) =>
    made.has(name)
      ? { filename: name, exists: true, kind: 'file', probes: [{ format: 'raw', score: 1 }] }
      : facts(name, literal);
}

function toDrive(add: AddOption, readOnly: boolean): GuestfsDrive {
  const origin = `${add.option} ${add.value}`;
  // guestfish -N makes a raw image and adds it read-write whatever --ro says.
  if (add.option === '-N')
    return {
      filename: add.value.includes('=') ? add.value.slice(0, add.value.indexOf('=')) : 'test1.img',
      format: 'raw',
      origin,
    };
  const parsed = parseAddArgument(add.value);
  if (parsed.kind === 'unparsable') throw new InputError(`--add: could not parse URI ‘${add.value}’`);
  const common = {
    readonly: readOnly,
    origin,
    ...(add.format ? { format: add.format } : {}),
    ...(add.blocksize ? { blocksize: add.blocksize } : {}),
  };
  if (parsed.kind === 'file') return { filename: parsed.path, ...common };
  return {
    filename: parsed.path,
    protocol: parsed.protocol,
    ...common,
    ...(parsed.server ? { server: [parsed.server] } : {}),
    ...(parsed.username !== undefined ? { username: parsed.username } : {}),
    ...(parsed.secret !== undefined ? { secret: parsed.secret } : {}),
  };
}

function accessProblem(
  drive: GuestfsDrive,
  ctx: StackContext,
): { error: string; findings: StackStep['findings'] } | undefined {
  if (drive.protocol !== undefined) return undefined;
  const facts = localFacts(ctx.facts, drive.filename);
  if (!facts || (facts.exists && !facts.error)) return undefined;
  const error = facts.error ?? 'No such file or directory';
  const scheme = /^([^/]*):\/\//.exec(drive.filename)?.[1];
  const drv = drive.origin ?? drive.filename;
  return {
    error,
    findings: [
      { code: 'libguestfs-file-missing', severity: 'error', layer: 'libguestfs', args: { drive: drv, error } },
      ...(scheme !== undefined
        ? [
            {
              code: 'libguestfs-uri-not-recognized' as const,
              severity: 'warning' as const,
              layer: 'libguestfs' as const,
              args: { drive: drv, scheme },
            },
          ]
        : []),
    ],
  };
}

/** A file name that looks like a URL (nbd+unix://...) that does exist locally is still read as a file: say so. */
function uriHints(drives: GuestfsDrive[]): StackStep[] {
  const odd = drives.filter((d) => d.protocol === undefined && /^[^/]*:\/\//.test(d.filename));
  if (odd.length === 0) return [];
  return [
    {
      id: 'uri',
      program: 'libguestfs',
      summary: 'names read as local files',
      findings: odd.map((d) => ({
        code: 'libguestfs-uri-not-recognized',
        severity: 'warning',
        layer: 'libguestfs',
        args: { drive: d.origin ?? d.filename, scheme: /^([^/]*):\/\//.exec(d.filename)?.[1] ?? '' },
      })),
    },
  ];
}
