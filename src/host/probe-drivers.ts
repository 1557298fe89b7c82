/** Which drivers the probe tries, and the options that satisfy each one's QAPI schema. */
import { join } from 'node:path';
import { ProbeError } from './probe-error.js';

export const FORMATS = [
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
const PROTOCOLS = [
  'file',
  'host_device',
  'host_cdrom',
  'nbd',
  'http',
  'https',
  'ftp',
  'ftps',
  'gluster',
  'iscsi',
  'iser',
  'nfs',
  'ssh',
  'rbd',
  'nvme',
  'null-co',
  'null-aio',
  'vvfat',
  // blkio (10.x; a modular 7.2 blkio registers no names, see qemu-block-layer.md §5)
  'io_uring',
  'nvme-io_uring',
  'virtio-blk-vfio-pci',
  'virtio-blk-vhost-user',
  'virtio-blk-vhost-vdpa',
];
/** Filters and the rest; each opens over child nodes made beforehand (see bases()). */
export const OVER_CHILDREN = [
  'blkdebug',
  'blkverify',
  'blklogwrites',
  'blkreplay',
  'compress',
  'copy-before-write',
  'copy-on-read',
  'preallocate',
  'replication',
  'throttle',
  'quorum',
  'snapshot-access',
];

/** Every driver format_name of QEMU 7.2 and 10.x except the unregistered commit_top and mirror_top. */
export const PROBE_DRIVERS: readonly string[] = [...FORMATS, ...PROTOCOLS, ...OVER_CHILDREN];

/**
 * Formats qemu-img makes; the others get a raw file (see makeImages). luks is left out on
 * purpose: creating one runs a PBKDF benchmark (2.25 s with stock 7.2, sometimes failing with
 * "Unable to get accurate CPU usage"), and our builds lack xts ("Unsupported cipher mode xts").
 */
export const CREATABLE = ['qcow2', 'qcow', 'qed', 'vmdk', 'vpc', 'vhdx', 'vdi', 'parallels'];

export type Json = Record<string, unknown>;

export interface Setup {
  dir: string;
  /** Node name of a `file` node over each format's image. */
  fileNode: Record<string, string>;
  /** Two spare child nodes for filters, quorum, blkverify, ... */
  base: [string, string];
}

/**
 * The driver's own options, chosen to satisfy its QAPI schema (7.2 and 10.x) so that any error
 * comes from the driver's open, which runs after the whitelist check in bdrv_open_common.
 */
export function driverOptions(driver: string, s: Setup): Json {
  const [b0, b1] = s.base;
  const missing = (name: string) => join(s.dir, `no-such-${name}`);
  switch (driver) {
    case 'file':
      return { filename: join(s.dir, 'f.raw') };
    case 'host_device':
    case 'host_cdrom':
      return { filename: missing(driver) };
    case 'nbd':
      return { server: { type: 'unix', path: missing('nbd.sock') } };
    case 'http':
    case 'https':
    case 'ftp':
    case 'ftps':
      return { url: `${driver}://127.0.0.1:1/x` };
    case 'gluster':
      return { volume: 'blockgate', path: '/x', server: [{ type: 'inet', host: '127.0.0.1', port: '1' }] };
    case 'iscsi':
    case 'iser':
      return {
        transport: driver === 'iser' ? 'iser' : 'tcp',
        portal: '127.0.0.1:1',
        target: 'iqn.2008-11.org.linux-kvm:blockgate',
        lun: 0,
      };
    // A path without '/' is refused by nfs.c ("Invalid URL specified") before libnfs asks a portmapper (port 111).
    case 'nfs':
      return { server: { type: 'inet', host: '127.0.0.1' }, path: 'blockgate' };
    case 'ssh':
      return { server: { host: '127.0.0.1', port: '1' }, path: '/x' };
    // A missing conf file fails in qemu_rbd_connect before rados_connect (which can wait minutes).
    case 'rbd':
      return { pool: 'blockgate', image: 'x', conf: missing('ceph.conf') };
    case 'nvme':
      return { device: 'blockgate-none', namespace: 1 };
    case 'null-co':
    case 'null-aio':
      return {};
    case 'vvfat':
      return { dir: join(s.dir, 'vvfat') };
    case 'io_uring':
      return { filename: missing(driver) };
    case 'nvme-io_uring':
    case 'virtio-blk-vfio-pci':
    case 'virtio-blk-vhost-user':
    case 'virtio-blk-vhost-vdpa':
      return { path: missing(driver) };
    case 'blkdebug':
    case 'blkreplay':
      return { image: b0 };
    case 'blkverify':
      return { test: b0, raw: b1 };
    case 'blklogwrites':
      return { file: b0, log: b1 };
    case 'copy-before-write':
      return { file: b0, target: b1 };
    case 'replication':
      return { file: b0, mode: 'primary' };
    case 'throttle':
      return { file: b0, 'throttle-group': 'blockgate' };
    case 'quorum':
      return { children: [b0], 'vote-threshold': 1 };
    case 'compress':
    case 'copy-on-read':
    case 'preallocate':
    case 'snapshot-access':
      return { file: b0 };
    default: {
      const file = s.fileNode[driver];
      if (file === undefined) throw new ProbeError(`blockgate does not know how to probe driver '${driver}'`);
      return { file };
    }
  }
}
