import type { CatalogEntry } from './entry.js';

/** Codes of the libvirt layer and their wording; one page each in docs/findings/. */
export const LIBVIRT_CATALOG = {
  'libvirt-backing-format-missing': {
    severity: 'error',
    layer: 'libvirt',
    title: 'Backing format not recorded (libvirt refuses)',
    explain: (a) =>
      `'${a['image']}' names the backing image '${a['backing']}' without its format, and libvirt ` +
      'will not guess it (libvirt 6.0 on; from 6.1 only a local image with no backing file of ' +
      'its own is probed).',
    fix: (a) =>
      `record the format in the overlay: qemu-img rebase -u -b '${a['backing']}' -F FORMAT ` +
      `'${a['image']}', or give it in the XML: <backingStore type='file'><format ` +
      "type='FORMAT'/><source file='...'/></backingStore>",
  },
  'libvirt-backing-format-probed': {
    severity: 'info',
    layer: 'libvirt',
    title: 'Backing format probed by libvirt',
    explain: (a) =>
      `'${a['image']}' does not record the format of '${a['backing']}'; libvirt probed it as ` +
      `${a['format']}, which it allows because that image has no backing file of its own.`,
    fix: (a) =>
      `record it so nothing is guessed: qemu-img rebase -u -b '${a['backing']}' -F ${a['format']} '${a['image']}'`,
  },
  'libvirt-backing-assumed-raw': {
    severity: 'warning',
    layer: 'libvirt',
    title: 'Backing image assumed raw',
    explain: (a) =>
      `'${a['image']}' does not record the format of '${a['backing']}'; libvirt 5.10 hands it to ` +
      'QEMU as raw, so a qcow2 backing image would be read as raw bytes.',
    fix: (a) => `record the format: qemu-img rebase -u -b '${a['backing']}' -F FORMAT '${a['image']}'`,
  },
  'libvirt-format-defaults-raw': {
    severity: 'warning',
    layer: 'libvirt',
    title: 'No driver type: libvirt uses raw',
    explain: (a) =>
      `disk ${a['target']} has no <driver type=...>; libvirt never probes a disk's format and ` +
      `opens it as raw, but its header says ${a['header']}.`,
    fix: (a) => `name the format: <driver name='qemu' type='${a['header']}'/>`,
  },
  'libvirt-json-backing-unsupported': {
    severity: 'error',
    layer: 'libvirt',
    title: 'json: backing name libvirt cannot read',
    explain: (a) =>
      `the backing name '${a['backing']}' of '${a['image']}' is a json: description libvirt has ` +
      'no parser for, so it cannot follow the chain.',
    fix: () =>
      'rewrite the backing name as a path or URL libvirt understands (file, nbd, http(s), ' +
      'ftp(s), ssh, iscsi, rbd, gluster, nfs): qemu-img rebase -u -b NEW -F FORMAT IMAGE, or ' +
      'give the chain in <backingStore>',
  },
  'libvirt-protocol-refused': {
    severity: 'error',
    layer: 'libvirt',
    title: 'Protocol refused by libvirt',
    explain: (a) =>
      `disk ${a['target']} uses protocol '${a['protocol']}', which libvirt refuses with this QEMU (${a['reason']}).`,
    fix: (a) =>
      "serve the image another way, e.g. nbdkit's " +
      `${a['protocol'] === 'tftp' ? 'curl' : a['protocol']} plugin exporting it over nbd, or ` +
      'copy it locally',
  },
  'libvirt-protocol-unknown': {
    severity: 'error',
    layer: 'libvirt',
    title: 'Protocol unknown to libvirt',
    explain: (a) =>
      `disk ${a['target']} uses protocol '${a['protocol']}', which this libvirt's domain XML does not know.`,
    fix: () => 'use one of the protocols libvirt lists for <source protocol=...>, or serve the image over nbd',
  },
  'libvirt-readonly-disk-bus': {
    severity: 'error',
    layer: 'libvirt',
    title: 'Read-only disk on a bus that cannot be',
    explain: (a) =>
      `disk ${a['target']} is <readonly/> on the ${a['bus']} bus; IDE and SATA hard disks cannot ` +
      'be read-only, so libvirt refuses it.',
    fix: () => "put it on a virtio or scsi bus (<target dev='vdb' bus='virtio'/>), or make it a cdrom (device='cdrom')",
  },
  'libvirt-storage-missing': {
    severity: 'error',
    layer: 'libvirt',
    title: 'Image missing (libvirt)',
    explain: (a) =>
      a['path'] === a['top']
        ? `'${a['path']}' does not exist, so libvirt cannot read it.`
        : `the backing image '${a['path']}' of '${a['top']}' does not exist, so libvirt cannot read the chain.`,
    fix: () =>
      'fix the path in the XML or restore the file (check the backing name with qemu-img info --backing-chain)',
  },
  'libvirt-chain-too-deep': {
    severity: 'error',
    layer: 'libvirt',
    title: 'Backing chain loops or is too deep (libvirt)',
    explain: (a) =>
      `libvirt followed the backing chain of '${a['path']}' more than 200 levels: it loops, or ` +
      'is deeper than libvirt allows.',
    fix: () =>
      'find the loop with qemu-img info --backing-chain and rebase the image that points back; ' +
      'or flatten the chain with qemu-img convert',
  },
  'libvirt-disk-not-checked': {
    severity: 'info',
    layer: 'libvirt',
    title: 'Disk not checked',
    explain: (a) => `disk ${a['target']} (${a['reason']}) is not modelled; blockgate does not judge it.`,
    fix: () => 'nothing to do if it opens; for a storage volume, check the file or device the pool maps it to',
  },
} satisfies Record<string, CatalogEntry>;

export type LibvirtCode = keyof typeof LIBVIRT_CATALOG;
