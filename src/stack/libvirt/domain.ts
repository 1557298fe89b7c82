/** A libvirt domain as far as its disks go: what `<disk>` says before libvirt adds what it detects. */

/** `<disk type=...>` and `<backingStore type=...>`. */
export type SourceType = 'file' | 'block' | 'network' | 'volume' | 'dir' | 'nvme' | 'vhostuser';

export interface NetworkHost {
  name?: string;
  port?: string;
  transport?: string;
  socket?: string;
}

/** One image of a disk's chain: `<source>` with its format (`<driver type>` on top, `<format type>` in a backingStore). */
export interface ImageSource {
  type: SourceType;
  /** file= or dev= of a local source; for a backing image read from a header, the path libvirt resolved. */
  path?: string;
  protocol?: string;
  /** The network source's name= (export, pool/image, volume/path, iqn/lun). */
  name?: string;
  hosts: NetworkHost[];
  /** `<source pool volume>` of a volume disk. */
  pool?: string;
  volume?: string;
  /** libvirt's format name (raw, qcow2, vhd, ...); undefined when the XML or the header gave none. */
  format?: string;
}

/**
 * `<backingStore>` as written: absent (libvirt detects the chain from the headers), `<backingStore/>`
 * (the chain ends here), or one more image with its own backingStore.
 */
export type BackingStore =
  | { kind: 'detect' }
  | { kind: 'end' }
  | { kind: 'image'; image: ImageSource; backing: BackingStore };

export type DiskDevice = 'disk' | 'cdrom' | 'floppy' | 'lun';

export interface DiskDef {
  /** The target dev (vda, sdb, hdc): what libvirt's messages and aliases are built from. */
  target: string;
  bus: string;
  device: DiskDevice;
  /** `<driver name>`: only qemu is a QEMU disk. */
  driverName?: string;
  /** `<driver cache>`: none, writeback, writethrough, directsync, unsafe. */
  cache?: string;
  source?: ImageSource;
  backing: BackingStore;
  readOnly: boolean;
  shareable: boolean;
  transient: boolean;
}

export interface DomainDef {
  name: string;
  /** `<domain type>`: kvm or qemu. */
  type: string;
  emulator?: string;
  machine?: string;
  disks: DiskDef[];
}
