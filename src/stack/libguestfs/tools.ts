import type { ToolFamily } from './messages.js';

/**
 * Option syntax of each tool (getopt strings and long_options of libguestfs 1.48.6 fish/, rescue/, fuse/ and
 * guestfs-tools 1.48.2; OCaml tools from their Getopt argspecs). `access`: whether the drives are added read-only.
 */
export interface ToolSyntax {
  family: ToolFamily;
  /** Short options that take an argument. */
  shortWithArg: string;
  /** Long options with a required argument (C), or every long option but `longNoArg` (OCaml). */
  longWithArg: string[];
  /** C getopt has_arg 2: only --name=VALUE carries a value (--format, --blocksize). */
  longOptionalArg: string[];
  longNoArg: string[];
  access: 'rw' | 'ro' | 'switch' | 'dry-run';
  /** Shell wrappers that exec guestfish with these options first. */
  guestfish?: string[];
}

const C_READ = (short: string, long: string[], optional: string[] = []): ToolSyntax => ({
  family: 'c',
  shortWithArg: short,
  longWithArg: ['add', 'connect', 'domain', ...long],
  longOptionalArg: ['blocksize', 'format', ...optional],
  longNoArg: [],
  access: 'ro',
});

const GUESTFISH: ToolSyntax = {
  family: 'c',
  shortWithArg: 'acdfmN',
  longWithArg: ['add', 'connect', 'domain', 'file', 'key', 'mount', 'new'],
  longOptionalArg: ['blocksize', 'cmd-help', 'format', 'remote'],
  longNoArg: [],
  access: 'switch',
};

const OCAML_NO_ARG = [
  'color',
  'colors',
  'colour',
  'colours',
  'debug-gc',
  'dryrun',
  'dry-run',
  'dump-pod',
  'dump-pod-options',
  'echo-keys',
  'help',
  'keys-from-stdin',
  'list-operations',
  'long-options',
  'short-options',
  'machine-readable',
  'network',
  'no-logfile',
  'no-network',
  'no-selinux-relabel',
  'quiet',
  'selinux-relabel',
  'sm-register',
  'sm-remove',
  'sm-unregister',
  'unversioned-names',
  'update',
  'version',
  'verbose',
  'wrap',
];

const OCAML = (short: string, access: ToolSyntax['access']): ToolSyntax => ({
  family: 'ocaml',
  shortWithArg: short,
  longWithArg: [],
  longOptionalArg: [],
  longNoArg: OCAML_NO_ARG,
  access,
});

export const TOOL_SYNTAX: Record<string, ToolSyntax> = {
  guestfish: GUESTFISH,
  'virt-copy-out': { ...GUESTFISH, guestfish: ['--ro', '-i', 'copy-out'] },
  'virt-tar-out': { ...GUESTFISH, guestfish: ['--ro', '-i', 'tar-out'] },
  'virt-copy-in': { ...GUESTFISH, guestfish: ['--rw', '-i', 'copy-in'] },
  'virt-tar-in': { ...GUESTFISH, guestfish: ['--rw', '-i', 'tar-in'] },
  'virt-rescue': {
    ...GUESTFISH,
    shortWithArg: 'acdem',
    longWithArg: ['add', 'append', 'connect', 'domain', 'mount', 'memsize', 'smp'],
    longOptionalArg: ['blocksize', 'format', 'scratch'],
  },
  guestmount: {
    ...GUESTFISH,
    shortWithArg: 'acdmo',
    longWithArg: ['add', 'connect', 'dir-cache-timeout', 'domain', 'fd', 'key', 'mount', 'option', 'pid-file'],
    longOptionalArg: ['blocksize', 'format'],
  },
  'virt-cat': C_READ('acdm', ['key', 'mount']),
  'virt-filesystems': C_READ('acd', []),
  'virt-log': C_READ('acd', ['key']),
  'virt-ls': C_READ('acdm', ['key', 'mount'], ['checksum', 'checksums']),
  'virt-tail': C_READ('acdm', ['key', 'mount']),
  'virt-df': C_READ('acdP', []),
  'virt-diff': C_READ('aAcdD', ['key'], ['checksum', 'checksums']),
  'virt-inspector': C_READ('acd', ['key', 'xpath']),
  'virt-alignment-scan': C_READ('acdP', []),
  'virt-edit': { ...C_READ('abcdem', ['backup', 'edit', 'expr', 'key', 'mount']), access: 'rw' },
  'virt-format': { ...C_READ('a', ['filesystem', 'label'], ['lvm', 'partition']), access: 'rw' },
  'virt-customize': OCAML('acdm', 'dry-run'),
  'virt-sysprep': OCAML('acd', 'dry-run'),
  'virt-get-kernel': OCAML('acdo', 'ro'),
};
