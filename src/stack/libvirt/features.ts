import { atLeast } from '../../qemu/version.js';

/** How libvirt treats a backing image whose format the overlay does not record. */
export type BackingFormatPolicy =
  /** Before 5.10, or with -drive: QEMU opens the chain from the headers and probes the format itself. */
  | 'qemu-probes'
  /** 5.10 with -blockdev: libvirt assumed raw (libvirt 6.0.0 NEWS.rst, "Report error if backing image format is not specified"). */
  | 'assume-raw'
  /** 6.0.0 refused every backing image without a recorded format (same NEWS entry). */
  | 'refuse'
  /** 6.1.0 on: probe a local image, refuse it when it has a backing file of its own or cannot be read (storage_source.c virStorageSourceGetMetadataRecurse). */
  | 'probe-if-safe';

/** libvirt behaviours that changed between versions; sources in docs/findings/libvirt-*.md and each comment. */
export interface LibvirtFeatures {
  /** -blockdev with separate storage and format nodes: "Starting from libvirt 5.10 with QEMU 4.2" (libvirt NEWS.rst, v6.5.0 entry). */
  blockdev: boolean;
  backingFormat: BackingFormatPolicy;
  /** A <backingStore> chain given in the XML is used instead of the headers (part of the 5.10 blockdev work). */
  explicitChain: boolean;
  /** qemuDomainValidateStorageSource refuses tftp ("not supported since QEMU 2.8.0"); read in 9.0.0, applied from 6.0 (unconfirmed earlier). */
  refusesTftp: boolean;
}

export function libvirtFeatures(libvirt: string, qemu: string): LibvirtFeatures {
  const blockdev = atLeast(libvirt, '5.10') && atLeast(qemu, '4.2');
  return {
    blockdev,
    backingFormat: atLeast(libvirt, '6.1')
      ? 'probe-if-safe'
      : atLeast(libvirt, '6.0')
        ? 'refuse'
        : blockdev
          ? 'assume-raw'
          : 'qemu-probes',
    explicitChain: blockdev,
    refusesTftp: atLeast(libvirt, '6.0'),
  };
}

/** libvirt's format names that are not QEMU's (qemu_block.c qemuBlockStorageSourceGetBlockdevFormatProps). */
export const QEMU_FORMAT: Record<string, string> = { vhd: 'vhdx', ploop: 'parallels', fat: 'raw' };

/** Formats at or above VIR_STORAGE_FILE_BACKING: libvirt reads their backing file (storage_source_conf.h). */
export const BACKING_FORMATS = ['cow', 'qcow', 'qcow2', 'qed', 'vmdk'];

/** Every <driver type> virStorageFileFormat knows (storage_source_conf.c VIR_ENUM_IMPL). */
export const LIBVIRT_FORMATS = [
  'none',
  'raw',
  'dir',
  'bochs',
  'cloop',
  'dmg',
  'iso',
  'vpc',
  'vdi',
  'fat',
  'vhd',
  'ploop',
  ...BACKING_FORMATS,
];

/** virStorageSourceNetworkDefaultPort (storage_source_conf.c, 9.0.0): the port libvirt writes when <host> has none. */
export const DEFAULT_PORT: Record<string, string> = {
  http: '80',
  https: '443',
  ftp: '21',
  ftps: '990',
  tftp: '69',
  sheepdog: '7000',
  nbd: '10809',
  ssh: '22',
  iscsi: '3260',
  gluster: '24007',
  vxhs: '9999',
};
