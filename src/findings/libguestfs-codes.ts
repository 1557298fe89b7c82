/** Finding codes of the libguestfs layer; wording in ./catalog.ts, one page each in docs/findings/. */
export const LIBGUESTFS_CODES = [
  'libguestfs-protocol-unknown',
  'libguestfs-drive-invalid',
  'libguestfs-file-missing',
  'libguestfs-uri-not-recognized',
  'libguestfs-remote-format-needed',
  'libguestfs-libvirt-format-needed',
  'libguestfs-libvirt-curl',
  'libguestfs-overlay',
] as const;

export type LibguestfsCode = (typeof LIBGUESTFS_CODES)[number];
