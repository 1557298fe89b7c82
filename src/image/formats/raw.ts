import { emptyHeader, sectorsToSize, type HeaderReader, type Probe } from './types.js';

// raw-format.c:503 "smallest possible positive score so that raw is used if and only if no other
// block driver works".
export const probe: Probe = () => 1;

/** qemu-img reports the length rounded up to whole sectors (1000 bytes -> 1024). */
export const read: HeaderReader = (src) => {
  const header = emptyHeader('raw');
  sectorsToSize(BigInt(Math.ceil(src.size / 512)), header);
  return header;
};
