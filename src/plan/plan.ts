import type { Plan } from '../model/node.js';
import type { Profile } from '../model/profile.js';
import type { ImageFacts } from '../model/image.js';
import { InputError } from '../errors.js';
import { planSystem } from './system.js';
import { planTool } from './tools.js';
import { qemuFeatures } from '../qemu/features.js';

const TOOLS = ['qemu-img', 'qemu-io', 'qemu-nbd', 'qemu-storage-daemon'];

/** Parses `PROGRAM ARGS...` into the drives the program would open on the profile's stack. */
export function planCommand(
  argv: string[],
  profile: Profile,
  facts: (filename: string, literal?: boolean) => ImageFacts | undefined,
): Plan {
  const [command, ...args] = argv;
  if (!command) throw new InputError('no command given: put the command to check after --');
  const program = command.replace(/^.*\//, '');
  const ctx = { qemu: profile.qemu, facts, openBacking: true, openDataFile: true };
  if (isHypervisor(command, program, profile)) {
    return { program, kind: 'hypervisor', drives: planSystem(args, ctx) };
  }
  if (TOOLS.includes(program)) {
    const noIo = program === 'qemu-img' && args[0] === 'info' && qemuFeatures(profile.qemu).noIoSkipsDataFile;
    const { drives, subcommand } = planTool(program, args, { ...ctx, openDataFile: !noIo });
    return { program, kind: 'tool', drives, ...(subcommand ? { subcommand } : {}) };
  }
  throw new InputError(
    `unknown command '${program}' on profile ${profile.name}: it checks qemu-system-*, ` +
      `${[...new Set([...profile.qemu.hypervisors, ...TOOLS])].join(', ')}; for another host's ` +
      'command line pass --profile NAME',
  );
}

function isHypervisor(command: string, program: string, profile: Profile): boolean {
  return (
    program.startsWith('qemu-system-') ||
    profile.qemu.hypervisors.includes(program) ||
    profile.qemu.hypervisors.includes(command)
  );
}
