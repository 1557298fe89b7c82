/**
 * QEMU's loadable block modules and every driver format_name, as data. The module table is what
 * scripts/modules/module_block.py generates as block_driver_modules[] (qemu-block-layer.md §5);
 * the names are `grep .format_name block/*.c` in 7.2 and 10.2 (§7).
 */

export interface ModuleEntry {
  /** library_name: the module file is block-<name>.so. */
  name: string;
  drivers: string[];
  /** protocol_name values, when they differ from the drivers. */
  protocols?: string[];
  /** The shared library a monolithic build links for this driver (seen in DT_NEEDED). */
  library: RegExp;
  /** Why this entry is only in some versions. */
  since?: { major: number; note: string };
}

const BLKIO_DRIVERS = [
  'io_uring',
  'nvme-io_uring',
  'virtio-blk-vfio-pci',
  'virtio-blk-vhost-user',
  'virtio-blk-vhost-vdpa',
];

/** block_driver_modules[] for a given QEMU version. */
export function moduleTable(version: string): ModuleEntry[] {
  const major = Number(version.split('.')[0]);
  // 7.2 registers gluster+rdma too; 10.x dropped it (§7).
  const gluster = ['gluster', 'gluster+tcp', 'gluster+unix', ...(major < 10 ? ['gluster+rdma'] : [])];
  const table: ModuleEntry[] = [
    { name: 'curl', drivers: ['http', 'https', 'ftp', 'ftps'], library: /^libcurl/ },
    { name: 'gluster', drivers: ['gluster'], protocols: gluster, library: /^libgfapi/ },
    { name: 'iscsi', drivers: ['iscsi', 'iser'], library: /^libiscsi/ },
    { name: 'nfs', drivers: ['nfs'], library: /^libnfs/ },
    { name: 'ssh', drivers: ['ssh'], library: /^libssh\./ },
    { name: 'rbd', drivers: ['rbd'], library: /^librbd/ },
  ];
  // 7.2's block/blkio.c declares its drivers through a macro that module_block.py cannot read, so a
  // modular 7.2 has no table entry for it and cannot load it; 10.0.13 and 10.2 spell them out.
  if (major >= 8) {
    table.push({
      name: 'blkio',
      drivers: BLKIO_DRIVERS,
      library: /^libblkio/,
      since: {
        major: 8,
        note: 'blkio joined the module table after 7.2 (present in 10.0.13); 8.x and 9.x not checked',
      },
    });
  }
  return table;
}

/** Every format_name QEMU 7.2 to 10.2 registers: what a whitelist array in .data may hold. */
export const ALL_DRIVERS: readonly string[] = [
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
  ...BLKIO_DRIVERS,
  // Older builds (and older RHEL whitelists) name these.
  'sheepdog',
  'vxhs',
  'tftp',
];

export interface PackagingHints {
  /** Debian's note-missing-module-pkg-name patch is compiled in (or --version says Debian). */
  debian: boolean;
  /** The Debian 10.x patch names qemu-block-supplemental (gluster, blkio). */
  supplemental: boolean;
  /** CONFIG_QEMU_MODDIR as built, e.g. /usr/lib64/qemu-kvm. */
  moduleDir?: string | undefined;
}

/** The package that ships block-<name>.so, and whether that is a guess. */
export function modulePackage(name: string, hints: PackagingHints): { package: string; unconfirmed?: string } {
  if (hints.debian) {
    const supplemental = hints.supplemental && (name === 'gluster' || name === 'blkio');
    return { package: supplemental ? 'qemu-block-supplemental' : 'qemu-block-extra' };
  }
  if (hints.moduleDir?.endsWith('/qemu-kvm')) {
    return {
      package: `qemu-kvm-block-${name}`,
      unconfirmed: 'package name follows the RHEL/Fedora qemu-kvm.spec naming; not read from rpm',
    };
  }
  return { package: 'unknown', unconfirmed: 'neither a Debian nor a RHEL module layout: the package is not known' };
}
