import { InputError } from '../../errors.js';

/** A virt-v2v command line, as virt-v2v's own Getopt reads it (v2v/cmdline.ml in 1.x, v2v/v2v.ml in 2.x). */
export interface V2vCommand {
  /** Single-valued options by their name without dashes: i, ic, if, it, ip, o, oa, oc, of, on, op, os, root, ... */
  values: Map<string, string>;
  /** Repeatable options: io, oo, b/bridge, n/network, mac. */
  lists: Map<string, string[]>;
  /** Options without a value that were given: in-place, qemu-boot, compressed, machine-readable, v, x, ... */
  flags: Set<string>;
  /** Disk images, the guest name, the XML/OVA/VMX file: what is left after the options. */
  args: string[];
}

const SINGLE = [
  'i',
  'ic',
  'if',
  'ip',
  'it',
  'o',
  'oa',
  'oc',
  'of',
  'on',
  'op',
  'os',
  'root',
  'password-file',
  'bandwidth',
  'bandwidth-file',
  'block-driver',
  'memsize',
  'm',
  'smp',
  'parallel',
  'key',
  'vmtype',
  'no-trim',
  'vddk-config',
  'vddk-cookie',
  'vddk-libdir',
  'vddk-nfchostport',
  'vddk-port',
  'vddk-snapshot',
  'vddk-thumbprint',
  'vddk-transports',
  'vdsm-compat',
  'vdsm-image-uuid',
  'vdsm-vol-uuid',
  'vdsm-vm-uuid',
  'vdsm-ovf-output',
  'vdsm-ovf-flavour',
];
const LISTS = ['io', 'oo', 'b', 'bridge', 'n', 'network', 'mac'];
const FLAGS = [
  'in-place',
  'qemu-boot',
  'compressed',
  'machine-readable',
  'print-source',
  'print-estimate',
  'debug-overlays',
  'no-copy',
  'v',
  'verbose',
  'x',
  'q',
  'quiet',
  'colors',
  'colours',
  'wrap',
  'debug-gc',
  'keys-from-stdin',
  'V',
  'version',
];

/** argv without the program name; anything virt-v2v would reject as usage is bad input here. */
export function parseV2v(argv: string[]): V2vCommand {
  const cmd: V2vCommand = { values: new Map(), lists: new Map(), flags: new Set(), args: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      cmd.args.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      cmd.args.push(arg);
      continue;
    }
    const [name = '', inline] = splitInline(arg.replace(/^--?/, ''));
    if (FLAGS.includes(name)) {
      cmd.flags.add(name);
      continue;
    }
    if (!SINGLE.includes(name) && !LISTS.includes(name)) {
      throw new InputError(`virt-v2v: unrecognized option '${arg}'`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new InputError(`virt-v2v: option '${arg}' requires an argument`);
    if (LISTS.includes(name)) cmd.lists.set(name, [...(cmd.lists.get(name) ?? []), value]);
    else cmd.values.set(name, value);
  }
  return cmd;
}

function splitInline(name: string): [string, string | undefined] {
  const eq = name.indexOf('=');
  return eq < 0 ? [name, undefined] : [name.slice(0, eq), name.slice(eq + 1)];
}
