import { readPadded } from '../byte-source.js';
import { bytesEqual, u32le, u64le } from '../bytes.js';
import { emptyHeader, refused, sectorsToSize, type HeaderReader, type Probe } from './types.js';

const MAGIC = 'WithoutFreeSpace';
const MAGIC2 = 'WithouFreSpacExt';
const HEADER_VERSION = 2;
const HEADER_SIZE = 64;

const isParallels = (b: Uint8Array): boolean =>
  (bytesEqual(b, 0, MAGIC) || bytesEqual(b, 0, MAGIC2)) && u32le(b, 16) === HEADER_VERSION;

export const probe: Probe = (buf, bufSize) => (bufSize >= HEADER_SIZE && isParallels(buf) ? 100 : 0);

export const read: HeaderReader = (src) => {
  const header = emptyHeader('parallels');
  const b = readPadded(src, 0, HEADER_SIZE);
  if (!isParallels(b)) {
    return refused(header, 'Image not in Parallels format');
  }
  header.version = HEADER_VERSION;
  // parallels.c:756: the old magic keeps only the low 32 bits of nb_sectors.
  const sectors = u64le(b, 36);
  sectorsToSize(bytesEqual(b, 0, MAGIC) ? sectors & 0xffffffffn : sectors, header);
  const tracks = u32le(b, 28);
  if (tracks === 0) refused(header, 'Invalid image: Zero sectors per track');
  else if (tracks > Math.floor(0x7fffffff / 513)) refused(header, 'Invalid image: Too big cluster');
  else if (u32le(b, 32) > Math.floor(0x7fffffff / 4)) refused(header, 'Catalog too large');
  return header;
};
