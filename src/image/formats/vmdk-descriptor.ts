import type { VmdkExtent } from '../../model/image.js';
import { scanExtentLine } from './vmdk-scan.js';

/** Bytes up to the first NUL as a binary string (one char per byte), the way C code sees them. */
export function binaryCString(b: Uint8Array): string {
  const nul = b.indexOf(0);
  const end = nul < 0 ? b.length : nul;
  let text = '';
  // In chunks: fromCharCode takes its bytes as arguments, and a descriptor may be megabytes.
  for (let at = 0; at < end; at += 8192) text += String.fromCharCode(...b.subarray(at, Math.min(end, at + 8192)));
  return text;
}

const utf8 = new TextDecoder('utf-8');
const fromBinary = (s: string): string => utf8.decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));

// vmdk_open_desc_file (block/vmdk.c:1274): the only createType values a descriptor file may have.
const DESCRIPTOR_TYPES = [
  'monolithicFlat',
  'vmfs',
  'vmfsSparse',
  'seSparse',
  'twoGbMaxExtentSparse',
  'twoGbMaxExtentFlat',
];
const OPENED_TYPES = ['FLAT', 'SPARSE', 'VMFS', 'VMFSSPARSE', 'SESPARSE'];

/**
 * vmdk_parse_description (block/vmdk.c:1067): the first "createType" anywhere, even in a
 * comment, then two characters skipped blindly and the value up to the next '"'.
 */
export function createTypeOf(desc: string): string | undefined {
  const at = desc.indexOf('createType');
  if (at < 0) return undefined;
  const start = at + 'createType'.length + 2;
  const end = desc.indexOf('"', start);
  if (start >= desc.length || end < 0 || end - start + 1 > 128) return undefined;
  return desc.slice(start, end);
}

const nextLine = (desc: string, p: number): number => {
  const nl = desc.indexOf('\n', p);
  return nl < 0 ? desc.length : nl + 1;
};

export interface ParsedExtents {
  /**
   * Every line QEMU's sscanf reads as an extent, in order. QEMU opens only the RW ones of the
   * OPENED_TYPES; RW lines it would skip (no sectors, other types) are left out.
   */
  extents: VmdkExtent[];
  /** Sum of the sectors of the extents QEMU opens, as the descriptor states them. */
  sectors: bigint;
  problem?: string;
}

/** vmdk_parse_extents (block/vmdk.c:1122) without opening anything. */
export function parseExtents(desc: string): ParsedExtents {
  const out: ParsedExtents = { extents: [], sectors: 0n };
  for (let p = 0; p < desc.length; p = nextLine(desc, p)) {
    const m = scanExtentLine(desc, p);
    if (m.matches < 4) continue;
    const extent = { access: m.access, type: m.type, filename: fromBinary(m.fname) };
    if (m.access !== 'RW') {
      out.extents.push(extent);
      continue;
    }
    const invalid =
      m.type === 'FLAT' ? m.matches !== 5 || m.flatOffset < 0n : m.type === 'VMFS' ? m.matches !== 4 : m.matches !== 4;
    if (invalid) {
      const end = desc.indexOf('\n', p);
      return { ...out, problem: `Invalid extent line: ${fromBinary(desc.slice(p, end < 0 ? desc.length : end))}` };
    }
    if (m.sectors <= 0n || !OPENED_TYPES.includes(m.type)) continue;
    out.extents.push(extent);
    out.sectors += m.sectors;
  }
  return out;
}

export interface ParsedDescriptor extends ParsedExtents {
  createType?: string;
}

/** vmdk_open_desc_file: createType first, then the extents. */
export function parseDescriptor(desc: string): ParsedDescriptor {
  const createType = createTypeOf(desc);
  if (createType === undefined) return { extents: [], sectors: 0n, problem: 'invalid VMDK image descriptor' };
  const name = fromBinary(createType);
  if (!DESCRIPTOR_TYPES.includes(createType)) {
    return { createType: name, extents: [], sectors: 0n, problem: `Unsupported image type '${name}'` };
  }
  return { createType: name, ...parseExtents(desc) };
}

/**
 * vmdk_parent_open (block/vmdk.c:464): the first "parentFileNameHint", skip `="`, then up to
 * the next '"'. The caller passes the first DESC_SIZE bytes at the descriptor offset.
 */
export function parentHint(desc: string): { backingFile?: string; problem?: string } {
  const at = desc.indexOf('parentFileNameHint');
  if (at < 0) return {};
  const start = at + 'parentFileNameHint'.length + 2;
  const end = start <= desc.length ? desc.indexOf('"', start) : -1;
  if (end < 0) return { problem: 'parentFileNameHint has no closing quote' };
  if (end - start > 4095) return { problem: 'parentFileNameHint is too long' };
  const name = fromBinary(desc.slice(start, end));
  return name ? { backingFile: name } : {};
}

/**
 * vmdk_read_cid (block/vmdk.c:300): "CID" and "parentCID" must both be found, each followed
 * by one character and a hex number, or the open fails with EINVAL.
 */
export function cidProblem(desc: string): string | undefined {
  for (const key of ['CID', 'parentCID']) {
    const at = desc.indexOf(key);
    const rest = at < 0 ? '' : desc.slice(at + key.length + 1, at + key.length + 64);
    if (!/^[ \t\n\v\f\r]*[+-]?[0-9a-fA-F]/.test(rest)) return `descriptor has no readable ${key}`;
  }
  return undefined;
}
