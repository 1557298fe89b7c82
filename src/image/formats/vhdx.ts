import { type ByteSource, readPadded } from '../byte-source.js';
import { bytesEqual, safeNumber, u16le, u32le, u64le } from '../bytes.js';
import { crc32c } from './crc32c.js';
import {
  EINVAL,
  ENOTSUP,
  emptyHeader,
  refused,
  refusedErrno,
  sectorsToSize,
  type HeaderReader,
  type Probe,
} from './types.js';

const KiB = 1024;
const REGION_TABLE_OFFSET = 192 * KiB;
const TABLE_SIZE = 64 * KiB;
const PARAMS_HAS_PARENT = 0x02;

/** An MSGUID as stored on disk: data1..3 little-endian, then data4 as is. */
function guid(d1: number, d2: number, d3: number, d4: number[]): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint32(0, d1, true);
  v.setUint16(4, d2, true);
  v.setUint16(6, d3, true);
  b.set(d4, 8);
  return b;
}

// block/vhdx.c:55-110
const METADATA = guid(0x8b7ca206, 0x4790, 0x4b9a, [0xb8, 0xfe, 0x57, 0x5f, 0x05, 0x0f, 0x88, 0x6e]);
const FILE_PARAMETERS = guid(0xcaa16737, 0xfa36, 0x4d43, [0xb3, 0xb6, 0x33, 0xf0, 0xaa, 0x44, 0xe7, 0x6b]);
const VIRTUAL_SIZE = guid(0x2fa54224, 0xcd1b, 0x4876, [0xb2, 0x11, 0x5d, 0xbe, 0xd8, 0x3b, 0xf4, 0xb8]);

const guidAt = (b: Uint8Array, o: number, g: Uint8Array): boolean => g.every((x, i) => b[o + i] === x);

export const probe: Probe = (buf, bufSize) => (bufSize >= 8 && bytesEqual(buf, 0, 'vhdxfile') ? 100 : 0);

/** File offset of the metadata region from the first region table (vhdx_open_region_tables). */
function metadataOffset(src: ByteSource): number | undefined {
  const rt = readPadded(src, REGION_TABLE_OFFSET, TABLE_SIZE);
  if (!bytesEqual(rt, 0, 'regi')) return undefined;
  const count = u32le(rt, 8);
  for (let i = 0, o = 16; i < count && i < 2047 && o + 32 <= TABLE_SIZE; i++, o += 32) {
    if (guidAt(rt, o, METADATA)) return safeNumber(u64le(rt, o + 16));
  }
  return undefined;
}

/** vhdx_parse_metadata: item offsets of the metadata entries we need, relative to the region. */
function metadataItems(table: Uint8Array): { params?: number; size?: number } {
  const items: { params?: number; size?: number } = {};
  const count = u16le(table, 10);
  for (let i = 0, o = 32; i < count && o + 32 <= TABLE_SIZE; i++, o += 32) {
    if (guidAt(table, o, FILE_PARAMETERS)) items.params = u32le(table, o + 16);
    if (guidAt(table, o, VIRTUAL_SIZE)) items.size = u32le(table, o + 16);
  }
  return items;
}

const HEADER_BLOCK = 64 * KiB;
const HEADER_SIZE = 4 * KiB;

/** vhdx_parse_header (vhdx.c:421): a header counts when its CRC-32C, "head" and version 1 hold. */
function headerSequence(src: ByteSource, offset: number): { seq: bigint; bytes: Uint8Array } | undefined {
  const h = readPadded(src, offset, HEADER_SIZE);
  if (crc32c(h, 4) !== u32le(h, 4) || !bytesEqual(h, 0, 'head') || u16le(h, 66) !== 1) return undefined;
  return { seq: u64le(h, 8), bytes: h };
}

function headersValid(src: ByteSource): boolean {
  const [h1, h2] = [headerSequence(src, HEADER_BLOCK), headerSequence(src, 2 * HEADER_BLOCK)];
  if (!h1 || !h2) return Boolean(h1 ?? h2);
  // Equal sequence numbers are allowed only for identical headers (Disk2VHD writes two).
  return h1.seq !== h2.seq || h1.bytes.every((x, i) => x === h2.bytes[i]);
}

// Not verified here, though QEMU does: the log, the region table CRC-32C and the metadata items other than
// these two. QEMU sets no message for these failures, so bdrv_open_driver names the file and the errno.
export const read: HeaderReader = (src) => {
  const header = emptyHeader('vhdx');
  if (!bytesEqual(readPadded(src, 0, 8), 0, 'vhdxfile')) {
    header.notes.push('no "vhdxfile" signature');
    return refusedErrno(header, EINVAL);
  }
  // error_setg_errno with the 0 the last read returned: no strerror is added.
  if (!headersValid(src)) return refused(header, 'No valid VHDX header found');
  const region = metadataOffset(src);
  if (region === undefined) {
    header.notes.push('no usable region table with a metadata region');
    return refusedErrno(header, EINVAL);
  }
  const table = readPadded(src, region, TABLE_SIZE);
  const items = metadataItems(table);
  if (!bytesEqual(table, 0, 'metadata') || items.params === undefined || items.size === undefined) {
    header.notes.push('metadata table lacks file parameters or virtual disk size');
    return refusedErrno(header, ENOTSUP);
  }
  const params = u32le(readPadded(src, region + items.params, 8), 4);
  if (params & PARAMS_HAS_PARENT) {
    // vhdx.c:772: "TODO: parse parent locator fields", so QEMU 7.2 refuses differencing images.
    header.notes.push('differencing VHDX (has a parent) is not supported by QEMU');
    refusedErrno(header, ENOTSUP);
  }
  sectorsToSize(u64le(readPadded(src, region + items.size, 8), 0) / 512n, header);
  return header;
};
