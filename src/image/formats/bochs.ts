import { readPadded } from '../byte-source.js';
import { cStringEqual, u32le, u64le } from '../bytes.js';
import { emptyHeader, refused, sectorsToSize, type HeaderReader, type Probe } from './types.js';

const HEADER_SIZE = 512;
const HEADER_VERSION = 0x00020000;
const HEADER_V1 = 0x00010000;

function isBochs(b: Uint8Array): boolean {
  const version = u32le(b, 64);
  return (
    cStringEqual(b, 0, 'Bochs Virtual HD Image') &&
    cStringEqual(b, 32, 'Redolog') &&
    cStringEqual(b, 48, 'Growing') &&
    (version === HEADER_VERSION || version === HEADER_V1)
  );
}

export const probe: Probe = (buf, bufSize) => (bufSize >= HEADER_SIZE && isBochs(buf) ? 100 : 0);

/** The checks of bochs_open (block/bochs.c:138-189) after the header, in its order. */
function catalogProblem(b: Uint8Array, sectors: bigint): string | undefined {
  const catalog = u32le(b, 72);
  const extent = u32le(b, 80);
  if (catalog > 0x100000) return 'Catalog size is too large';
  if (extent < 512) return 'Extent size must be at least 512';
  if ((extent & (extent - 1)) !== 0) return `Extent size ${extent} is not a power of two`;
  if (extent > 0x800000) return `Extent size ${extent} is too large`;
  const perExtent = BigInt(extent / 512);
  if (BigInt(catalog) < (sectors + perExtent - 1n) / perExtent) return 'Catalog size is too small for this disk size';
  return undefined;
}

export const read: HeaderReader = (src) => {
  const header = emptyHeader('bochs');
  const b = readPadded(src, 0, HEADER_SIZE);
  if (!isBochs(b)) {
    return refused(header, 'Image not in Bochs format');
  }
  const v1 = u32le(b, 64) === HEADER_V1;
  header.version = v1 ? 1 : 2;
  // redolog_v1.disk sits where the v2 header has a reserved word (bochs.c:57-66).
  const sectors = u64le(b, v1 ? 84 : 88) / 512n;
  sectorsToSize(sectors, header);
  const problem = catalogProblem(b, sectors);
  if (problem) refused(header, problem);
  return header;
};
