import { readPadded } from '../byte-source.js';
import { u32le, u64le } from '../bytes.js';
import { emptyHeader, refused, sectorsToSize, type HeaderReader, type Probe } from './types.js';

const SIGNATURE = 0xbeda107f; // at offset 0x40, after the 64-byte text
const VERSION_1_1 = 0x00010001;
const HEADER_SIZE = 512;
const BLOCK_SIZE = 1048576;
const BLOCKS_IN_IMAGE_MAX = Math.floor((0x80000000 - 512) / 4);
const DISK_SIZE_MAX = BigInt(BLOCKS_IN_IMAGE_MAX) * BigInt(BLOCK_SIZE);

export const probe: Probe = (buf, bufSize) => (bufSize >= HEADER_SIZE && u32le(buf, 0x40) === SIGNATURE ? 100 : 0);

const hex = (n: number | bigint, width = 0): string => n.toString(16).padStart(width, '0');
const isNullUuid = (b: Uint8Array, o: number): boolean => b.subarray(o, o + 16).every((x) => x === 0);

/** The checks of vdi_open (block/vdi.c:397-467), in its order, with its messages. */
function headerProblem(b: Uint8Array): string | undefined {
  const diskSize = u64le(b, 368);
  const version = u32le(b, 68);
  const blockSize = u32le(b, 376);
  const blocks = u32le(b, 384);
  const rounded = (diskSize + 511n) & ~511n;
  if (diskSize > DISK_SIZE_MAX)
    return `Unsupported VDI image size (size is 0x${hex(diskSize)}, max supported is 0x${hex(DISK_SIZE_MAX)})`;
  if (u32le(b, 64) !== SIGNATURE) return `Image not in VDI format (bad signature ${hex(u32le(b, 64), 8)})`;
  if (version !== VERSION_1_1) return `unsupported VDI image (version ${version >>> 16}.${version & 0xffff})`;
  if (u32le(b, 340) % 512) return `unsupported VDI image (unaligned block map offset 0x${hex(u32le(b, 340))})`;
  if (u32le(b, 344) % 512) return `unsupported VDI image (unaligned data offset 0x${hex(u32le(b, 344))})`;
  if (u32le(b, 360) !== 512) return `unsupported VDI image (sector size ${u32le(b, 360)} is not 512)`;
  if (blockSize !== BLOCK_SIZE) return `unsupported VDI image (block size ${blockSize} is not ${BLOCK_SIZE})`;
  const room = BigInt(blocks) * BigInt(blockSize);
  if (rounded > room) return `unsupported VDI image (disk size ${rounded}, image bitmap has room for ${room})`;
  if (!isNullUuid(b, 424)) return 'unsupported VDI image (non-NULL link UUID)';
  if (!isNullUuid(b, 440)) return 'unsupported VDI image (non-NULL parent UUID)';
  if (blocks > BLOCKS_IN_IMAGE_MAX)
    return `unsupported VDI image (too many blocks ${blocks}, max is ${BLOCKS_IN_IMAGE_MAX})`;
  return undefined;
}

export const read: HeaderReader = (src) => {
  const header = emptyHeader('vdi');
  const b = readPadded(src, 0, HEADER_SIZE);
  const version = u32le(b, 68);
  header.version = version >>> 16;
  const problem = headerProblem(b);
  if (problem) {
    return refused(header, problem);
  }
  // vdi.c:408: odd sizes from 'VBoxManage convertfromraw' are rounded up to a sector.
  sectorsToSize((u64le(b, 368) + 511n) / 512n, header);
  return header;
};
