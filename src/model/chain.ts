/** A backing chain as both readers report it (qemu-img info --backing-chain, and the native header reader). */

export interface ChainNode {
  /** A path that opens from the current folder, as qemu-img's `filename` does. */
  filename: string;
  format: string;
  virtualSize?: number;
  /** Backing file name exactly as written in the header. */
  backingFile?: string;
  /** The backing file name resolved as QEMU resolves it (relative to this image's folder); URLs and json: as written. */
  backingFileResolved?: string;
  /** Backing format recorded in the header, if any. */
  backingFormat?: string;
  /** qcow2 external data file, as written in the header. */
  dataFile?: string;
  /** vmdk extent file names, as written in the descriptor. */
  extents?: string[];
  encrypted?: boolean;
}

export interface ImageChain {
  /** The path the user named. */
  path: string;
  /** Top to base. Ends where a backing file is remote, json:, missing, unreadable or loops. */
  chain: ChainNode[];
  /** Why the chain stops early, in the reader's words. */
  error?: string;
}
