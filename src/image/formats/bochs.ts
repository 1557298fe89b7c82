import { readPadded } from '../byte-source.js';
import { cStringEqual, u32le, u64le } from '../bytes.js';
import { emptyHeader, sectorsToSize, type HeaderReader, type Probe } from './types.js';

const HEADER_SIZE = 512;
const HEADER_VERSION = 0x00020000;
const HEADER_V1 = 0x00010000;

function isBochs(b: Uint8Array): boolean {
  const version = u32le(b, 64);
  return cStringEqual(b, 0, 'Bochs Virtual HD Image') && cStringEqual(b, 32, 'Redolog') &&
    cStringEqual(b, 48, 'Growing') && (version === HEADER_VERSION || version === HEADER_V1);
}

export const probe: Probe = (buf, bufSize) => (bufSize >= HEADER_SIZE && isBochs(buf) ? 100 : 0);

export const read: HeaderReader = (src) => {
  const header = emptyHeader('bochs');
  const b = readPadded(src, 0, HEADER_SIZE);
  if (!isBochs(b)) {
    header.problems.push('Image not in Bochs format');
    return header;
  }
  const v1 = u32le(b, 64) === HEADER_V1;
  header.version = v1 ? 1 : 2;
  // redolog_v1.disk sits where the v2 header has a reserved word (bochs.c:57-66).
  sectorsToSize(u64le(b, v1 ? 84 : 88) / 512n, header);
  if (u32le(b, 72) > 0x100000) header.problems.push('Catalog size is too large');
  const extent = u32le(b, 80);
  if (extent < 512) header.problems.push('Extent size must be at least 512');
  else if ((extent & (extent - 1)) !== 0) header.problems.push(`Extent size ${extent} is not a power of two`);
  return header;
};
