import type { CatalogEntry } from './entry.js';

/** Codes of the libguestfs layer and their wording; one page each in docs/findings/. */
export const LIBGUESTFS_CATALOG = {
  'libguestfs-protocol-unknown': {
    severity: 'error',
    layer: 'libguestfs',
    title: 'Protocol not accepted by libguestfs',
    explain: (a) =>
      `libguestfs ${a['version']} here accepts the drive protocols ${a['accepted']}; ` +
      `'${a['protocol']}' is not one of them, so add_drive refuses ${a['drive']} before QEMU ` +
      'runs (RHEL builds disable every remote protocol but nbd and rbd).',
    fix: () =>
      'serve the disk over NBD and add that: nbdkit -U /tmp/d.sock curl URL (or ssh ...), then ' +
      '-a nbd:///?socket=/tmp/d.sock --format=raw; or copy the disk locally first',
  },
  'libguestfs-drive-invalid': {
    severity: 'error',
    layer: 'libguestfs',
    title: 'Drive parameters refused by libguestfs',
    explain: (a) => `add_drive refuses ${a['drive']}: ${a['error']}.`,
    fix: () =>
      'correct the -a URI: one server (host[:port] or ?socket=/path), and a path of the shape ' +
      'the protocol expects (see guestfish(1) "ADDING REMOTE STORAGE")',
  },
  'libguestfs-file-missing': {
    severity: 'error',
    layer: 'libguestfs',
    title: 'Disk image not found',
    explain: (a) =>
      `${a['drive']} cannot be read here (${a['error']}), and libguestfs checks that before anything else.`,
    fix: () => 'check the path (relative names are taken from the folder the tool runs in) and the permissions',
  },
  'libguestfs-uri-not-recognized': {
    severity: 'warning',
    layer: 'libguestfs',
    title: 'Not a URI to libguestfs',
    explain: (a) =>
      'libguestfs takes an -a argument as a URI only when a short lower-case word comes before ' +
      `"://"; '${a['scheme']}://' is not one, so ${a['drive']} is read as a local file name.`,
    fix: (a) =>
      a['scheme']?.startsWith('nbd+')
        ? 'write the NBD URI as libguestfs spells it: nbd:///?socket=/path/to.sock for a Unix ' +
          'socket, nbd://host[:port]/export for TCP'
        : 'write the scheme in lower case, or give the local file with ./ in front',
  },
  'libguestfs-remote-format-needed': {
    severity: 'error',
    layer: 'libguestfs',
    title: 'Read-only remote drive needs --format',
    explain: (a) =>
      `for a read-only drive libguestfs ${a['version']} asks qemu-img info for the format of ` +
      `${a['backing']}, and prefixes that name with "./" because it does not begin with '/', so ` +
      'qemu-img looks for a local file and fails.',
    fix: () => 'name the format before -a: --format=raw (or the real format) -a URI',
  },
  'libguestfs-libvirt-format-needed': {
    severity: 'error',
    layer: 'libguestfs',
    title: 'libvirt backend needs the format of a remote drive',
    explain: (a) =>
      `with the libvirt backend libguestfs must tell libvirt the format of ${a['drive']}, and it ` +
      'detects formats only of local files.',
    fix: () => 'name the format before -a (--format=raw), or use the direct backend: export LIBGUESTFS_BACKEND=direct',
  },
  'libguestfs-libvirt-curl': {
    severity: 'error',
    layer: 'libguestfs',
    title: 'libvirt backend refuses http/https/ftp drives',
    explain: (a) =>
      "libguestfs's libvirt backend does not pass the QEMU curl protocols to libvirt, so " +
      `launching with ${a['drive']} read-write fails.`,
    fix: () =>
      'export LIBGUESTFS_BACKEND=direct, or add the drive read-only (--ro) so it becomes the ' +
      'backing file of a local overlay',
  },
  'libguestfs-overlay': {
    severity: 'info',
    layer: 'libguestfs',
    title: 'Read-only drive behind a qcow2 overlay',
    explain: (a) =>
      `libguestfs protects the read-only drive ${a['drive']} with a temporary qcow2 overlay ` +
      `whose backing file is ${a['backing']}: QEMU opens the source read-only, as a backing ` +
      'file, so a driver on the read-only whitelist is enough.',
    fix: () => 'nothing to do; the overlay is deleted when the tool exits',
  },
} satisfies Record<string, CatalogEntry>;

export type LibguestfsCode = keyof typeof LIBGUESTFS_CATALOG;
