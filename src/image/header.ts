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
  if (budgeted.exhausted) header.problems.push(`stopped reading after ${READ_BUDGET} bytes`);
  return header;
}
