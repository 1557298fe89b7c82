/** Finding codes of the libvirt layer; wording in ./catalog.ts, one page each in docs/findings/. */
export const LIBVIRT_CODES = [
  'libvirt-backing-format-missing',
  'libvirt-backing-format-probed',
  'libvirt-backing-assumed-raw',
  'libvirt-format-defaults-raw',
  'libvirt-json-backing-unsupported',
  'libvirt-protocol-refused',
  'libvirt-protocol-unknown',
  'libvirt-readonly-disk-bus',
  'libvirt-storage-missing',
  'libvirt-chain-too-deep',
  'libvirt-disk-not-checked',
] as const;

export type LibvirtCode = (typeof LIBVIRT_CODES)[number];
