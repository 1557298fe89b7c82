/** What a block driver is in a node graph. */
export type DriverRole = 'format' | 'protocol' | 'filter' | 'other';

/** Driver roles from each driver's BlockDriver struct (qemu 7.2 block/*.c: is_format, protocol_name, is_filter). */
const FORMATS = [
  'qcow2',
  'qcow',
  'qed',
  'raw',
  'vmdk',
  'vpc',
  'vhdx',
  'vdi',
  'parallels',
  'luks',
  'bochs',
  'cloop',
  'dmg',
];
const FILTERS = [
  'blklogwrites',
  'blkreplay',
  'compress',
  'copy-before-write',
  'copy-on-read',
  'preallocate',
  'replication',
  'throttle',
];
const OTHER = ['quorum', 'snapshot-access'];

export function driverRole(driver: string): DriverRole {
  if (FORMATS.includes(driver)) return 'format';
  if (FILTERS.includes(driver)) return 'filter';
  if (OTHER.includes(driver)) return 'other';
  return 'protocol';
}

/** protocol_name -> format_name; the whitelist compares format_name (qemu-block-layer.md §1, §7). */
const PROTOCOLS: Record<string, string> = {
  file: 'file',
  host_device: 'host_device',
  host_cdrom: 'host_cdrom',
  nbd: 'nbd',
  'nbd+tcp': 'nbd',
  'nbd+unix': 'nbd',
  http: 'http',
  https: 'https',
  ftp: 'ftp',
  ftps: 'ftps',
  tftp: 'tftp',
  gluster: 'gluster',
  'gluster+tcp': 'gluster',
  'gluster+unix': 'gluster',
  'gluster+rdma': 'gluster',
  iscsi: 'iscsi',
  iser: 'iser',
  nfs: 'nfs',
  ssh: 'ssh',
  rbd: 'rbd',
  sheepdog: 'sheepdog',
  'sheepdog+tcp': 'sheepdog',
  'sheepdog+unix': 'sheepdog',
  vxhs: 'vxhs',
  fat: 'vvfat',
  blkdebug: 'blkdebug',
  blkverify: 'blkverify',
  'null-co': 'null-co',
  'null-aio': 'null-aio',
  nvme: 'nvme',
};

export function driverForProtocol(prefix: string): string | undefined {
  return Object.hasOwn(PROTOCOLS, prefix) ? PROTOCOLS[prefix] : undefined;
}

/** Drivers that cannot write: curl opens read-only through bdrv_apply_auto_read_only (block/curl.c). */
export const READ_ONLY_BY_NATURE: Record<string, string> = {
  http: 'curl driver does not support writes',
  https: 'curl driver does not support writes',
  ftp: 'curl driver does not support writes',
  ftps: 'curl driver does not support writes',
};
