import { readPadded } from '../byte-source.js';
import { bytesEqual, u32be } from '../bytes.js';
import { emptyHeader, refused, sectorsToSize, type HeaderReader, type Probe } from './types.js';

const MAGIC_V2 = '#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0 && mount -r -t iso9660 /dev/cloop $1\n';
const MAX_BLOCK_SIZE = 64 * 1024 * 1024;

// cloop.c:52-55 compares only min(strlen(magic), buf_size) bytes.
export const probe: Probe = (buf, bufSize) =>
  bytesEqual(buf, 0, MAGIC_V2.slice(0, Math.min(MAGIC_V2.length, bufSize))) ? 2 : 0;

export const read: HeaderReader = (src) => {
  const header = emptyHeader('cloop');
  const b = readPadded(src, 128, 8);
  const blockSize = u32be(b, 0);
  const nBlocks = u32be(b, 4);
  const problem =
    blockSize % 512
      ? `block_size ${blockSize} must be a multiple of 512`
      : blockSize === 0
        ? 'block_size cannot be zero'
        : blockSize > MAX_BLOCK_SIZE
          ? `block_size ${blockSize} must be 64 MB or less`
          : nBlocks > Math.floor((0xffffffff - 1) / 8)
            ? `n_blocks ${nBlocks} must be ${Math.floor((0xffffffff - 1) / 8)} or less`
            : (nBlocks + 1) * 8 > 512 * 1024 * 1024
              ? 'image requires too many offsets, try increasing block size'
              : undefined;
  if (problem) {
    return refused(header, problem);
  }
  // cloop.c:198 multiplies two uint32_t, so the sector count wraps at 2^32.
  sectorsToSize(BigInt(Math.imul(nBlocks, blockSize / 512) >>> 0), header);
  return header;
};
