import type { ImageHeader, ProbeFormat } from '../model/image.js';
import { budgetSource, type ByteSource } from './byte-source.js';
import { drivers } from './formats/index.js';

/**
 * The most any header reader may read from one image. The largest single reads are a
 * qcow2 extension area (up to a 2 MiB cluster) and a vmdk descriptor (1 MiB - 1).
 */
export const READ_BUDGET = 4 * 1024 * 1024;

/** What the `format` driver would read from this image's header; never throws on bad input. */
export function readHeader(format: ProbeFormat, src: ByteSource): ImageHeader {
  const budgeted = budgetSource(src, READ_BUDGET);
  const header = drivers[format].read(budgeted);
  if (budgeted.exhausted) header.notes.push(`stopped reading after ${READ_BUDGET} bytes`);
  return header;
}

/**
 * The text QEMU 7.2 fails the open with: the driver's own message, or, when the driver set none, block.c
 * bdrv_open_driver's "Could not open 'FILE': strerror" naming the node's file (:1680-1684).
 */
export function refusalText(header: ImageHeader, filename: string | undefined): string | undefined {
  if (header.refusal === undefined || !header.refusalErrno) return header.refusal;
  return filename ? `Could not open '${filename}': ${header.refusal}` : `Could not open image: ${header.refusal}`;
}
