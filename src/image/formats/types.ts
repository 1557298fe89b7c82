import type { ImageHeader, ProbeFormat } from '../../model/image.js';
import type { ByteSource } from '../byte-source.js';

/** A driver's .bdrv_probe: `buf` always holds `bufSize` bytes (find_image_format passes 512). */
export type Probe = (buf: Uint8Array, bufSize: number, filename: string) => number;

/** Reads what QEMU's .bdrv_open would read from the header; never throws on bad input. */
export type HeaderReader = (src: ByteSource) => ImageHeader;

export function emptyHeader(format: ProbeFormat): ImageHeader {
  return { format, notes: [] };
}

/** The header as refused by QEMU with `message` (error_setg in the driver's open). */
export function refused(header: ImageHeader, message: string): ImageHeader {
  header.refusal ??= message;
  return header;
}

/** The header as refused with a bare errno (the driver set no message), e.g. 'Invalid argument' for -EINVAL. */
export function refusedErrno(header: ImageHeader, strerror: string): ImageHeader {
  if (header.refusal === undefined) {
    header.refusal = strerror;
    header.refusalErrno = true;
  }
  return header;
}

export const EINVAL = 'Invalid argument';
export const ENOTSUP = 'Operation not supported';

/** Sets virtualSize to total_sectors * 512, which is what qemu-img reports as virtual-size. */
export function sectorsToSize(sectors: bigint, header: ImageHeader): void {
  const bytes = sectors * 512n;
  if (bytes <= BigInt(Number.MAX_SAFE_INTEGER)) header.virtualSize = Number(bytes);
  else header.notes.push(`virtual size ${bytes} bytes is beyond what blockgate represents exactly`);
}
