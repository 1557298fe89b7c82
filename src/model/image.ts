/** What blockgate knows about an image file, read from its header without QEMU. */

export type ProbeFormat =
  | 'bochs'
  | 'cloop'
  | 'dmg'
  | 'luks'
  | 'parallels'
  | 'qcow'
  | 'qcow2'
  | 'qed'
  | 'raw'
  | 'vdi'
  | 'vhdx'
  | 'vmdk'
  | 'vpc';

export interface ProbeScore {
  format: ProbeFormat;
  /** The score QEMU's bdrv_probe for that driver returns (raw always 1); only scores > 0 are listed. */
  score: number;
}

export interface VmdkExtent {
  /** RW, RDONLY or NOACCESS. */
  access: string;
  /** FLAT, SPARSE, VMFS, VMFSSPARSE, SESPARSE, ZERO, ... */
  type: string;
  /** The file name as written in the descriptor. */
  filename: string;
}

export interface ImageHeader {
  format: ProbeFormat;
  /** Header format version where the format has one (qcow2: 2 or 3). */
  version?: number;
  virtualSize?: number;
  /** Backing file name exactly as written in the header. */
  backingFile?: string;
  /** Backing format recorded in the header (qcow2 extension 0xE2792ACA, qed, vmdk parent), if any. */
  backingFormat?: string;
  /** qcow2 external data file name as written. */
  dataFile?: string;
  encrypted?: boolean;
  /** qcow2 incompatible feature bits. */
  incompatibleFeatures?: number;
  /** vmdk: the descriptor's createType. */
  createType?: string;
  extents?: VmdkExtent[];
  /**
   * Why QEMU 7.2's .bdrv_open refuses this header: its message exactly (block/<format>.c), or, when
   * `refusalErrno` is set, the strerror() text of the errno the driver failed with and no message.
   */
  refusal?: string;
  /** The driver set no message: block.c bdrv_open_driver prints "Could not open 'FILE': " before `refusal`. */
  refusalErrno?: boolean;
  /** What blockgate noticed that QEMU does not refuse (a read cut short, a name past the end of the file, ...). */
  notes: string[];
}

/** Facts the host gathered about one filename named on a command line or in a header. */
export interface ImageFacts {
  /** The name as the program will use it (relative to the program's working directory). */
  filename: string;
  exists: boolean;
  /** stat(2) kind: regular file, block or char device, directory. */
  kind?: 'file' | 'block-device' | 'char-device' | 'directory' | 'other';
  size?: number;
  /** Probe scores from the first bytes, highest first. */
  probes?: ProbeScore[];
  /** Header of the format that wins probing (or of the declared format, when the host was told it). */
  header?: ImageHeader;
  /** errno-style reason when the file could not be read, e.g. "Permission denied". */
  error?: string;
}
