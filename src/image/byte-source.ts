/** Synchronous, bounded random access to an image's bytes: the only way parsers see a file. */
export interface ByteSource {
  /** Length of the file in bytes. */
  size: number;
  /** Up to `length` bytes from `offset`; fewer at end of file, none past it. */
  read(offset: number, length: number): Uint8Array;
}

export function bufferSource(buf: Uint8Array): ByteSource {
  return {
    size: buf.length,
    read(offset, length) {
      if (!isOffset(offset) || !isOffset(length) || offset >= buf.length) return new Uint8Array(0);
      return buf.subarray(offset, Math.min(buf.length, offset + length));
    },
  };
}

export interface BudgetedSource extends ByteSource {
  /** True once a read was cut short because the budget was spent. */
  readonly exhausted: boolean;
}

/** Wraps `src` so that all reads together return at most `budget` bytes. */
export function budgetSource(src: ByteSource, budget: number): BudgetedSource {
  let left = budget;
  let exhausted = false;
  return {
    size: src.size,
    get exhausted() {
      return exhausted;
    },
    read(offset, length) {
      const want = Math.max(0, Math.min(length, src.size - offset));
      if (want > left) exhausted = true;
      const got = src.read(offset, Math.min(want, left));
      left -= got.length;
      return got;
    },
  };
}

/**
 * Exactly `length` bytes from `offset`, zero-filled past the end of the file, as
 * bdrv_pread() returns them (block/io.c bdrv_aligned_preadv zero-fills reads beyond EOF).
 * Offsets that are not safe integers read as zeros.
 */
export function readPadded(src: ByteSource, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(Math.max(0, length));
  if (!isOffset(offset) || offset >= src.size || length <= 0) return out;
  out.set(src.read(offset, length).subarray(0, length));
  return out;
}

/** bdrv_getlength(): the file length rounded up to whole 512-byte sectors (block.c refresh_total_sectors). */
export function sectorLength(src: ByteSource): number {
  return Math.ceil(src.size / 512) * 512;
}

function isOffset(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}
