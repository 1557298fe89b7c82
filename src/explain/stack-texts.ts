import { named, type Recogniser } from './recogniser.js';

/**
 * Refusals of the programs above QEMU. Texts from libvirt 9.0.0 (src/storage_file/storage_source.c,
 * src/qemu/qemu_block.c, qemu_domain.c; the same strings are in Debian's libvirt0 and libvirt_driver_qemu.so),
 * libguestfs 1.48 lib/drives.c and fish/options, virt-v2v 2.2 (input/*.ml, v2v/v2v.ml, 1.40 input_libvirt_xen_ssh.ml)
 * and nbdkit 1.32 server/plugins.c, plugins/file/file.c.
 */
export const STACK_TEXTS: Recogniser[] = [
  {
    kind: 'backing-format-missing',
    program: 'libvirt',
    re: /format of backing image '([^']*)' of image '([^']*)' was not specified in the image metadata/,
    args: named('backing', 'image'),
  },
  {
    kind: 'libvirt-storage-access',
    program: 'libvirt',
    re: /Cannot access storage file '([^']*)'(?: \(as uid:(\d+), gid:(\d+)\))?: (.+)$/,
    args: named('filename', 'uid', 'gid', 'text'),
  },
  {
    kind: 'libvirt-protocol',
    program: 'libvirt',
    re: /'(\w+)' protocol is not supported with this QEMU binary/,
    args: named('protocol'),
  },
  {
    kind: 'libvirt-protocol',
    program: 'libvirt',
    re: /(VxHS) protocol is not supported with this QEMU binary/,
    args: (m) => ({ protocol: (m[1] ?? '').toLowerCase() }),
  },
  { kind: 'libvirt-protocol', program: 'libvirt', re: /unsupported protocol type (\S+)/, args: named('protocol') },
  {
    kind: 'libvirt-protocol',
    program: 'libvirt',
    re: /TLS transport is not supported for disk protocol '(\w+)'/,
    args: (m) => ({ protocol: m[1] ?? '', what: 'tls' }),
  },
  {
    kind: 'libvirt-driver-format',
    program: 'libvirt',
    re: /unknown driver format value '([^']*)'/,
    args: named('driver'),
  },
  // src/qemu/qemu_validate.c qemuValidateDomainDeviceDefDiskFrontend.
  {
    kind: 'libvirt-readonly-bus',
    program: 'libvirt',
    re: /readonly (\w+) disks are not supported/,
    args: named('bus'),
  },
  // src/storage_file/storage_source_backingstore.c: json: backing names it cannot parse.
  {
    kind: 'libvirt-json-backing',
    program: 'libvirt',
    re: /missing parser implementation for JSON backing volume driver '([^']*)'/,
    args: named('driver'),
  },
  {
    kind: 'libvirt-json-backing',
    program: 'libvirt',
    re: /JSON backing volume definition '(.*)' lacks driver name/,
    args: named('backing'),
  },
  { kind: 'libvirt-json-backing', program: 'libvirt', re: /cannot parse json (.*): /, args: named('backing') },
  // src/storage_file/storage_source.c virStorageSourceGetMetadataRecurse.
  {
    kind: 'libvirt-chain-loop',
    program: 'libvirt',
    re: /backing store for (.+) is self-referential or too deeply nested/,
    args: named('path'),
  },
  // lib/drives.c: curly quotes in the C locale of 1.4x (U+2018/U+2019); straight ones in older builds.
  {
    kind: 'guestfs-unknown-protocol',
    program: 'libguestfs',
    re: /unknown protocol [‘']([^’']+)[’']/,
    args: named('protocol'),
  },
  // options/options.c add_drives: access (2) on a local -a file before the handle is created.
  {
    kind: 'guestfs-access',
    program: (m) => m[1] ?? 'libguestfs',
    re: /(guestfish|guestmount|virt-[\w-]+): access: (.+): No such file or directory/,
    args: (m) => ({ filename: m[2] ?? '' }),
  },
  {
    kind: 'v2v-access',
    program: 'virt-v2v',
    re: /virt-v2v: error: access: No such file or directory: (.+)$/,
    args: named('filename'),
  },
  {
    kind: 'v2v-libvirt-backend',
    program: 'virt-v2v',
    re: /because of libvirt bug https:\/\/bugzilla\.redhat\.com\/(\d+) you must/,
    args: named('bug'),
  },
  {
    kind: 'v2v-unknown-mode',
    program: 'virt-v2v',
    re: /virt-v2v: error: unknown (-[io]) option: (\S+)/,
    args: named('option', 'value'),
  },
  {
    kind: 'nbdkit-plugin-missing',
    program: 'nbdkit',
    re: /nbdkit: error: cannot open plugin '([^']+)': (.*)$/,
    args: named('plugin', 'text'),
  },
  {
    kind: 'nbdkit-no-such-file',
    program: 'nbdkit',
    re: /nbdkit: error: realpath: (.+): No such file or directory/,
    args: named('filename'),
  },
];

export const STACK_CONTINUATIONS: RegExp[] = [
  /^Use 'nbdkit --help' or read the nbdkit\(1\) manual page for documentation\.$/,
  /^export LIBGUESTFS_BACKEND=direct$/,
  /^and then rerun the virt-v2v command\.$/,
];
