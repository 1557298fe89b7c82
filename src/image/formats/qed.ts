import { readPadded, sectorLength } from '../byte-source.js';
import { cString, u32le, u64le } from '../bytes.js';
import { emptyHeader, refused, sectorsToSize, type HeaderReader, type Probe } from './types.js';

const QED_MAGIC = 0x00444551; // "QED\0" little-endian
const HEADER_SIZE = 64;
const F_BACKING_FILE = 0x01n;
const F_BACKING_FORMAT_NO_PROBE = 0x04n;
const FEATURE_MASK = 0x07n;
const PATH_MAX = 4096;

export const probe: Probe = (buf, bufSize) => (bufSize >= HEADER_SIZE && u32le(buf, 0) === QED_MAGIC ? 100 : 0);

const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** qed_max_image_size (block/qed.h): L1 and L2 tables of table_size clusters of 8-byte entries. */
function maxImageSize(clusterSize: number, tableSize: number): bigint {
  const entries = BigInt(clusterSize * tableSize) / 8n;
  return (entries * BigInt(clusterSize) * entries) & 0xffffffffffffffffn;
}

/** qed_check_table_offset (block/qed.h:279); with table_size 1 it always fails, as in QEMU. */
function tableOffsetValid(b: Uint8Array, fileLength: number): boolean {
  const clusterSize = BigInt(u32le(b, 4));
  const offset = u64le(b, 40);
  const end = (offset + BigInt(u32le(b, 8) - 1) * clusterSize) & 0xffffffffffffffffn;
  const fileSize = BigInt(fileLength) & ~(clusterSize - 1n);
  const ok = (o: bigint): boolean => o % clusterSize === 0n && o >= BigInt(u32le(b, 12)) * clusterSize && o < fileSize;
  return end > offset && ok(offset) && ok(end);
}

/** The checks of bdrv_qed_do_open (block/qed.c:382) before it reads the backing name. */
function headerProblem(b: Uint8Array, fileLength: number): string | undefined {
  const features = u64le(b, 16);
  const clusterSize = u32le(b, 4);
  const tableSize = u32le(b, 8);
  const imageSize = u64le(b, 48);
  if (u32le(b, 0) !== QED_MAGIC) return 'Image not in QED format';
  if (features & ~FEATURE_MASK) return `Unsupported QED features: ${(features & ~FEATURE_MASK).toString(16)}`;
  if (clusterSize < 4096 || clusterSize > 64 * 1024 * 1024 || !isPow2(clusterSize))
    return 'QED cluster size is invalid';
  if (tableSize < 1 || tableSize > 16 || !isPow2(tableSize)) return 'QED table size is invalid';
  if (imageSize % 512n !== 0n || imageSize > maxImageSize(clusterSize, tableSize)) return 'QED image size is invalid';
  if (!tableOffsetValid(b, fileLength)) return 'QED table offset is invalid';
  if (u32le(b, 12) > Math.floor(0xffffffff / clusterSize)) return 'QED header size is too large';
  return undefined;
}

export const read: HeaderReader = (src) => {
  const header = emptyHeader('qed');
  const b = readPadded(src, 0, HEADER_SIZE);
  const problem = headerProblem(b, sectorLength(src));
  if (problem) {
    return refused(header, problem);
  }
  sectorsToSize(u64le(b, 48) / 512n, header);
  const features = u64le(b, 16);
  if (!(features & F_BACKING_FILE)) return header;
  const offset = u32le(b, 56);
  const size = u32le(b, 60);
  if (offset + size > u32le(b, 4) * u32le(b, 12)) {
    return refused(header, 'QED backing filename offset is invalid');
  }
  if (size >= PATH_MAX) {
    return refused(header, 'Failed to read backing filename');
  }
  const name = cString(readPadded(src, offset, size));
  if (name) header.backingFile = name;
  // qed.c:473: the feature bit pins the backing format to raw instead of probing it.
  if (features & F_BACKING_FORMAT_NO_PROBE) header.backingFormat = 'raw';
  return header;
};
