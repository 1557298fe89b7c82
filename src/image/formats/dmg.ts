import { type ByteSource, readPadded, sectorLength } from '../byte-source.js';
import { bytesEqual, u64be } from '../bytes.js';
import { EINVAL, emptyHeader, refused, refusedErrno, sectorsToSize, type HeaderReader, type Probe } from './types.js';

// dmg.c:60-73: the name alone decides, not the contents.
export const probe: Probe = (_buf, _bufSize, filename) => (filename.length > 4 && filename.endsWith('.dmg') ? 2 : 0);

/** dmg_find_koly_offset (dmg.c:149): "koly" within the last 515 bytes of the sector-rounded length. */
function kolyOffset(src: ByteSource): number | undefined {
  const length = sectorLength(src);
  const start = length > 511 + 512 ? length - 511 - 512 : 0;
  const b = readPadded(src, start, Math.min(length, 515));
  for (let i = 0; i + 3 < b.length; i++) if (bytesEqual(b, i, 'koly')) return start + i;
  return undefined;
}

export const read: HeaderReader = (src) => {
  const header = emptyHeader('dmg');
  if (sectorLength(src) < 512) {
    return refused(header, 'dmg file must be at least 512 bytes long');
  }
  const koly = kolyOffset(src);
  if (koly === undefined) {
    return refused(header, 'Could not locate UDIF trailer in dmg file');
  }
  const sectors = u64be(readPadded(src, koly + 0x1ec, 8), 0);
  // dmg.c:533: total_sectors is an int64_t; a negative count fails with -EINVAL and no message.
  if (sectors >= 1n << 63n) refusedErrno(header, EINVAL);
  else sectorsToSize(sectors, header);
  return header;
};
