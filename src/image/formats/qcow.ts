import { readPadded } from '../byte-source.js';
import { cString, safeNumber, u32be, u64be, u8 } from '../bytes.js';
import { emptyHeader, refused, sectorsToSize, type HeaderReader, type Probe } from './types.js';

const QCOW_MAGIC = 0x514649fb;
/** sizeof(QCowHeader) in block/qcow.c (packed). */
const HEADER_SIZE = 48;

export const probe: Probe = (buf, bufSize) =>
  bufSize >= HEADER_SIZE && u32be(buf, 0) === QCOW_MAGIC && u32be(buf, 4) === 1 ? 100 : 0;

/** The checks of qcow_open (block/qcow.c:110), in its order. */
function headerProblem(b: Uint8Array): string | undefined {
  const version = u32be(b, 4);
  if (u32be(b, 0) !== QCOW_MAGIC) return 'Image not in qcow format';
  if (version !== 1) return `qcow (v1) does not support qcow version ${version}`;
  if (u64be(b, 24) <= 1n) return 'Image size is too small (must be at least 2 bytes)';
  if (u8(b, 32) < 9 || u8(b, 32) > 16) return 'Cluster size must be between 512 and 64k';
  if (u8(b, 33) < 6 || u8(b, 33) > 13) return 'L2 table size must be between 512 and 64k';
  const crypt = u32be(b, 36);
  if (crypt !== 0 && crypt !== 1) return 'invalid encryption method in qcow header';
  return undefined;
}

export const read: HeaderReader = (src) => {
  const header = emptyHeader('qcow');
  const b = readPadded(src, 0, HEADER_SIZE);
  header.version = u32be(b, 4);
  const problem = headerProblem(b);
  if (problem) {
    return refused(header, problem);
  }
  sectorsToSize(u64be(b, 24) / 512n, header);
  header.encrypted = u32be(b, 36) !== 0;
  const offset = u64be(b, 8);
  const len = u32be(b, 16);
  if (offset === 0n) return header;
  // qcow.c:285: unlike qcow2 the offset is not checked, only the length.
  if (len > 1023) {
    return refused(header, 'Backing file name too long');
  }
  const at = safeNumber(offset);
  if (at === undefined || at + len > src.size) header.notes.push('backing file name lies beyond the end of the file');
  const name = cString(readPadded(src, at ?? Number.MAX_SAFE_INTEGER, len));
  if (name) header.backingFile = name;
  return header;
};
