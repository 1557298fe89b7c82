import { atLeast } from './version.js';

/**
 * BlockdevDriver, the QAPI enum every -blockdev (and qemu-storage-daemon --blockdev, QMP blockdev-add) "driver" is
 * checked against when the option is parsed, before any node opens: qapi/block-core.json at v7.2.0, each with the
 * release that added it (later additions: gluks 9.0). Build conditionals (host_device, replication, the blkio
 * drivers) are treated as present: a build without them answers "Unknown driver" in this engine.
 */
const BLOCKDEV_DRIVERS: Record<string, string> = {
  blkdebug: '2.9',
  blklogwrites: '3.0',
  blkreplay: '4.2',
  blkverify: '2.9',
  bochs: '2.9',
  cloop: '2.9',
  compress: '5.0',
  'copy-before-write': '6.2',
  'copy-on-read': '3.0',
  dmg: '2.9',
  file: '2.9',
  'snapshot-access': '7.0',
  ftp: '2.9',
  ftps: '2.9',
  gluster: '2.9',
  host_cdrom: '2.9',
  host_device: '2.9',
  http: '2.9',
  https: '2.9',
  iscsi: '2.9',
  luks: '2.9',
  nbd: '2.9',
  nfs: '2.9',
  'null-aio': '2.9',
  'null-co': '2.9',
  nvme: '2.12',
  'nvme-io_uring': '7.2',
  parallels: '2.9',
  preallocate: '6.0',
  qcow: '2.9',
  qcow2: '2.9',
  qed: '2.9',
  quorum: '2.9',
  raw: '2.9',
  rbd: '2.9',
  replication: '2.9',
  ssh: '2.9',
  throttle: '2.11',
  vdi: '2.9',
  vhdx: '2.9',
  'virtio-blk-vfio-pci': '7.2',
  'virtio-blk-vhost-user': '7.2',
  'virtio-blk-vhost-vdpa': '7.2',
  vmdk: '2.9',
  vpc: '2.9',
  vvfat: '2.9',
  gluks: '9.0',
};
/**
 * Removed from the enum, with the first release without it (docs/about/removed-features.rst upstream: "VXHS backend
 * (removed in 5.1)", "``sheepdog`` driver (removed in 6.0)"). libvirt's rules read the same table.
 */
export const REMOVED_BLOCKDEV_DRIVERS: Record<string, { since: string; until: string }> = {
  vxhs: { since: '2.10', until: '5.1' },
  sheepdog: { since: '2.9', until: '6.0' },
};

/** The release that dropped a block driver, if it was dropped. */
export function driverRemovedIn(driver: string): string | undefined {
  return REMOVED_BLOCKDEV_DRIVERS[driver]?.until;
}

/** Whether QAPI's BlockdevDriver enum of this version has the name. */
export function blockdevDriverAccepted(driver: string, version: string): boolean {
  const added = BLOCKDEV_DRIVERS[driver];
  if (added !== undefined) return atLeast(version, added);
  const gone = REMOVED_BLOCKDEV_DRIVERS[driver];
  return gone !== undefined && atLeast(version, gone.since) && !atLeast(version, gone.until);
}
