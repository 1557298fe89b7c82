import type { ImageHeader } from '../../model/image.js';
import { type ByteSource, readPadded, sectorLength } from '../byte-source.js';
import { u16le, u32be, u32le, u64le } from '../bytes.js';
import { EINVAL, emptyHeader, refused, refusedErrno, sectorsToSize, type HeaderReader, type Probe } from './types.js';
import { binaryCString, cidProblem, parentHint, parseDescriptor } from './vmdk-descriptor.js';

const VMDK3_MAGIC = 0x434f5744; // "COWD"
const VMDK4_MAGIC = 0x4b444d56; // "KDMV"
const GD_AT_END = 0xffffffffffffffffn;
const DESC_SIZE = 20 * 512;
/** vmdk_read_desc (block/vmdk.c:878) reads at most this much: 1 MiB - 1. */
const DESC_MAX = (1 << 20) - 1;
const NL = 0x0a;
const CR = 0x0d;

const startsWith = (b: Uint8Array, p: number, end: number, s: string): boolean =>
  end - p >= s.length && [...s].every((c, i) => b[p + i] === c.charCodeAt(0));

const versionLine = (b: Uint8Array, p: number, end: number): boolean =>
  ['1', '2', '3'].some((v) => startsWith(b, p, end, `version=${v}\n`) || startsWith(b, p, end, `version=${v}\r\n`));

/** vmdk_probe (block/vmdk.c:206): a sparse magic, or "version=N" after comments and blank lines. */
export const probe: Probe = (buf, bufSize) => {
  if (bufSize < 4) return 0;
  const magic = u32be(buf, 0);
  if (magic === VMDK3_MAGIC || magic === VMDK4_MAGIC) return 100;
  for (let p = 0; p < bufSize; ) {
    if (buf[p] === 0x23 /* # */) {
      while (p < bufSize && buf[p] !== NL) p++;
      p++;
      continue;
    }
    if (buf[p] === 0x20 /* space */) {
      // Only lines of spaces count as blank: an empty line ends the search.
      while (p < bufSize && buf[p] === 0x20) p++;
      if (p < bufSize && buf[p] === CR) p++;
      if (p === bufSize || buf[p] !== NL) return 0;
      p++;
      continue;
    }
    return versionLine(buf, p, bufSize) ? 100 : 0;
  }
  return 0;
};

/** The descriptor text from `offset`, cut at its first NUL (vmdk_read_desc). */
function descriptorAt(src: ByteSource, offset: number, max: number): string {
  return binaryCString(readPadded(src, offset, Math.min(sectorLength(src), max)));
}

function readDescriptorFile(src: ByteSource, offset: number, header: ImageHeader): void {
  const d = parseDescriptor(descriptorAt(src, offset, DESC_MAX));
  if (d.createType !== undefined) header.createType = d.createType;
  header.extents = d.extents;
  if (d.problem) refused(header, d.problem);
  else sectorsToSize(d.sectors, header);
}

/** The footer of a streamOptimized image, when the header says the grain directory is at the end. */
function footerHeader(src: ByteSource): Uint8Array | undefined {
  const f = readPadded(src, sectorLength(src) - 1536, 1536);
  const ok =
    u32be(f, 512) === VMDK4_MAGIC &&
    u32le(f, 8) === 0 &&
    u32le(f, 12) === 3 &&
    u64le(f, 1024) === 0n &&
    u32le(f, 1032) === 0 &&
    u32le(f, 1036) === 0;
  return ok ? f.subarray(512, 1024) : undefined;
}

/** The checks of vmdk_open_vmdk4 and vmdk_add_extent, on a header whose magic is at `h[0]`. */
function vmdk4Problem(h: Uint8Array, src: ByteSource): string | undefined {
  const version = u32le(h, 4);
  const gtes = u32le(h, 44);
  const granularity = u64le(h, 20);
  const l1EntrySectors = (BigInt(gtes) * granularity) & 0xffffffffn; // a uint32_t there
  if (version > 3) return `Unsupported VMDK version ${version}`;
  if (gtes > 512) return 'L2 table size too big';
  if (l1EntrySectors === 0n) return 'L1 entry size is invalid';
  const grainOffset = u64le(h, 64);
  if (BigInt(sectorLength(src) / 512) < grainOffset) {
    return `File truncated, expecting at least ${BigInt.asIntN(64, grainOffset * 512n)} bytes`;
  }
  const l1Size = (BigInt.asUintN(64, u64le(h, 12) + l1EntrySectors - 1n) / l1EntrySectors) & 0xffffffffn;
  if (granularity > 0x200000n) return 'Invalid granularity, image may be corrupt';
  if (l1Size > 32n * 1024n * 1024n) return 'L1 size too big';
  return undefined;
}

function readVmdk4(src: ByteSource, first: Uint8Array, header: ImageHeader): void {
  if (u64le(first, 12) === 0n && u64le(first, 28) !== 0n) {
    // vmdk.c:933: no capacity but a descriptor offset: the descriptor describes the disk.
    const offset = Number(BigInt.asUintN(64, u64le(first, 28) << 9n));
    readDescriptorFile(src, Number.isSafeInteger(offset) ? offset : Number.MAX_SAFE_INTEGER, header);
    return;
  }
  let h = first;
  if (u64le(first, 56) === GD_AT_END) {
    const footer = footerHeader(src);
    if (!footer) {
      refused(header, 'Invalid footer');
      return;
    }
    h = footer;
  }
  header.version = u32le(h, 4);
  const compressed = u16le(h, 77) === 1;
  header.createType = compressed ? 'streamOptimized' : 'monolithicSparse';
  const problem = vmdk4Problem(h, src);
  if (problem) refused(header, problem);
  else sectorsToSize(u64le(h, 12), header);
}

function readVmdk3(first: Uint8Array, header: ImageHeader): void {
  header.version = u32le(first, 4);
  if (u32le(first, 16) > 0x200000) refused(header, 'Invalid granularity, image may be corrupt');
  else if (u32le(first, 24) > 32 * 1024 * 1024) refused(header, 'L1 size too big');
  else sectorsToSize(BigInt(u32le(first, 12)), header);
}

/**
 * vmdk_open. A sparse file is its own single extent, so `extents` stays undefined for it: QEMU
 * ignores the extent lines of an embedded descriptor. For a descriptor file, virtualSize adds
 * up the descriptor's sector counts; QEMU takes a sparse extent's from that extent's header.
 */
export const read: HeaderReader = (src) => {
  const header = emptyHeader('vmdk');
  if (sectorLength(src) < 4) {
    return refused(header, 'File is too small, not a valid image');
  }
  const first = readPadded(src, 0, 512);
  const magic = u32be(first, 0);
  if (magic === VMDK4_MAGIC) readVmdk4(src, first, header);
  else if (magic === VMDK3_MAGIC) readVmdk3(first, header);
  else readDescriptorFile(src, 0, header);
  if (header.refusal !== undefined) return header;
  // vmdk_open sets desc_offset to 0x200 for every sparse file, whatever its header says.
  const descOffset = magic === VMDK4_MAGIC || magic === VMDK3_MAGIC ? 0x200 : 0;
  const desc = descriptorAt(src, descOffset, DESC_SIZE);
  const hint = parentHint(desc);
  if (hint.backingFile) {
    header.backingFile = hint.backingFile;
    header.backingFormat = 'vmdk';
  }
  const problem = hint.problem ?? cidProblem(desc.slice(0, DESC_SIZE - 1));
  if (problem) {
    // vmdk_parent_open and vmdk_read_cid fail with -EINVAL and no message (vmdk.c:1356-1367).
    header.notes.push(problem);
    return refusedErrno(header, EINVAL);
  }
  return header;
};
