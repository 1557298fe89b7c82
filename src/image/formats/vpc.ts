import { type ByteSource, readPadded, sectorLength } from '../byte-source.js';
import { bytesEqual, u16be, u32be, u64be, u8 } from '../bytes.js';
import { emptyHeader, refused, sectorsToSize, type HeaderReader, type Probe } from './types.js';

const FOOTER_SIZE = 512;
const VHD_FIXED = 2;
const VHD_DIFFERENCING = 4;
const VHD_MAX_SECTORS = 0xff000000n;
const VHD_MAX_GEOMETRY = 65535n * 16n * 255n;

// vpc.c:193 looks only at the start: a fixed VHD, whose footer is only at the end, probes as raw.
export const probe: Probe = (buf, bufSize) => (bufSize >= 8 && bytesEqual(buf, 0, 'conectix') ? 100 : 0);

function checksumOk(footer: Uint8Array): boolean {
  let sum = 0;
  footer.forEach((x, i) => {
    if (i < 64 || i >= 68) sum += x;
  });
  return ~sum >>> 0 === u32be(footer, 64);
}

/** vpc_open (block/vpc.c:253-290): the footer at the start, else a fixed disk's footer at the end. */
function findFooter(src: ByteSource): { footer: Uint8Array; fixed: boolean } | string {
  const head = readPadded(src, 0, FOOTER_SIZE);
  if (bytesEqual(head, 0, 'conectix')) return { footer: head, fixed: false };
  const length = sectorLength(src);
  if (length < FOOTER_SIZE) return 'File too small for a VHD header';
  const tail = readPadded(src, length - FOOTER_SIZE, FOOTER_SIZE);
  if (!bytesEqual(tail, 0, 'conectix') || u32be(tail, 60) !== VHD_FIXED) return 'invalid VPC image';
  return { footer: tail, fixed: true };
}

/** Virtual PC sizes by CHS geometry, Hyper-V and others by current_size (vpc.c:300-340). */
function totalSectors(f: Uint8Array): bigint {
  const chs = BigInt(u16be(f, 56)) * BigInt(u8(f, 58)) * BigInt(u8(f, 59));
  const app = (s: string): boolean => bytesEqual(f, 28, s);
  const useChs = !(app('win ') || app('qem2') || app('d2v ') || app('CTXS') || app('tap\0'));
  return !useChs || chs === VHD_MAX_GEOMETRY ? u64be(f, 48) / 512n : chs;
}

function dynamicProblem(src: ByteSource, footer: Uint8Array, sectors: bigint): string | undefined {
  const dataOffset = u64be(footer, 16);
  const dyn =
    dataOffset <= BigInt(Number.MAX_SAFE_INTEGER) ? readPadded(src, Number(dataOffset), 1024) : new Uint8Array(1024);
  if (!bytesEqual(dyn, 0, 'cxsparse')) return 'Invalid header magic';
  const blockSize = u32be(dyn, 32);
  if (blockSize < 512 || (blockSize & (blockSize - 1)) !== 0) return `Invalid block size ${blockSize}`;
  if ((sectors * 512n) / BigInt(blockSize) > 0xffffffffn) return 'Too many blocks';
  const entries = u32be(dyn, 28);
  // max_table_entries is an int there: from 2^31 it is negative, slips past both checks and the
  // page table allocation fails instead.
  if (entries > 0x7fffffff) return 'Unable to allocate memory for page table';
  if (BigInt(entries) * BigInt(blockSize) < sectors * 512n) return 'Page table too small';
  if (entries > 0x7fffffff / 4) return `Max Table Entries too large (${entries})`;
  return undefined;
}

export const read: HeaderReader = (src) => {
  const header = emptyHeader('vpc');
  const found = findFooter(src);
  if (typeof found === 'string') {
    return refused(header, found);
  }
  const { footer, fixed } = found;
  header.version = u16be(footer, 12);
  if (!checksumOk(footer)) {
    return refused(header, 'Incorrect header checksum');
  }
  const sectors = totalSectors(footer);
  if (sectors > VHD_MAX_SECTORS) {
    return refused(header, 'File too large');
  }
  sectorsToSize(sectors, header);
  const problem = fixed ? undefined : dynamicProblem(src, footer, sectors);
  if (problem) refused(header, problem);
  if (u32be(footer, 60) === VHD_DIFFERENCING) {
    header.notes.push('differencing VHD: QEMU opens it as a dynamic disk and ignores its parent');
  }
  return header;
};
