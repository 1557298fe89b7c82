import { type ByteSource, readPadded } from '../byte-source.js';
import { cString, u32be, u64be, u8 } from '../bytes.js';
import type { ImageHeader } from '../../model/image.js';
import { readExtensions, type Qcow2Extensions } from './qcow2-extensions.js';
import { emptyHeader, refused, sectorsToSize, type HeaderReader, type Probe } from './types.js';

const QCOW_MAGIC = 0x514649fb;
/** sizeof(QCowHeader) in block/qcow2.h, v3 fields and padding included. */
const HEADER_SIZE = 112;
const INCOMPAT_DATA_FILE = 1n << 2n;
const INCOMPAT_COMPRESSION = 1n << 3n;
const INCOMPAT_EXTL2 = 1n << 4n;
const INCOMPAT_MASK = 0x1fn;
const INT64_MAX = (1n << 63n) - 1n;
const MiB = 1024n * 1024n;
const AUTOCLEAR_DATA_FILE_RAW = 1n << 1n;

export const probe: Probe = (buf, bufSize) =>
  bufSize >= HEADER_SIZE && u32be(buf, 0) === QCOW_MAGIC && u32be(buf, 4) >= 2 ? 100 : 0;

interface Fields {
  magic: number;
  version: number;
  backingOffset: bigint;
  backingSize: number;
  clusterBits: number;
  size: bigint;
  crypt: number;
  l1Size: number;
  l1Offset: bigint;
  refcountOffset: bigint;
  refcountClusters: number;
  snapshots: number;
  snapshotsOffset: bigint;
  incompat: bigint;
  autoclear: bigint;
  refcountOrder: number;
  headerLength: number;
  compressionType: number;
}

function fields(b: Uint8Array): Fields {
  const version = u32be(b, 4);
  const v3 = version !== 2; // qcow2_do_open fills v2 images with the v3 defaults
  const headerLength = v3 ? u32be(b, 100) : 72;
  return {
    magic: u32be(b, 0),
    version,
    backingOffset: u64be(b, 8),
    backingSize: u32be(b, 16),
    clusterBits: u32be(b, 20),
    size: u64be(b, 24),
    crypt: u32be(b, 32),
    l1Size: u32be(b, 36),
    l1Offset: u64be(b, 40),
    refcountOffset: u64be(b, 48),
    refcountClusters: u32be(b, 56),
    snapshots: u32be(b, 60),
    snapshotsOffset: u64be(b, 64),
    incompat: v3 ? u64be(b, 72) : 0n,
    autoclear: v3 ? u64be(b, 88) : 0n,
    refcountOrder: v3 ? u32be(b, 96) : 4,
    headerLength,
    compressionType: headerLength > 104 ? u8(b, 104) : 0,
  };
}

/** The checks of qcow2_do_open (block/qcow2.c:1296-1400) after which nothing else can be read. */
function layoutProblem(f: Fields): string | undefined {
  if (f.magic !== QCOW_MAGIC) return 'Image is not in qcow2 format';
  if (f.version < 2 || f.version > 3) return `Unsupported qcow2 version ${f.version}`;
  if (f.clusterBits < 9 || f.clusterBits > 21) return `Unsupported cluster size: 2^${f.clusterBits}`;
  if (f.version === 3 && f.headerLength < 104) return 'qcow2 header too short';
  if (f.headerLength > 2 ** f.clusterBits) return 'qcow2 header exceeds cluster size';
  if (f.backingOffset > BigInt(2 ** f.clusterBits)) return 'Invalid backing file offset';
  return undefined;
}

function unsupportedFeatures(f: Fields, ext: Qcow2Extensions): string | undefined {
  let mask = f.incompat & ~INCOMPAT_MASK;
  if (!mask) return undefined;
  const names: string[] = [];
  for (const { bit, name } of ext.incompatibleNames) {
    if (bit < 64 && mask & (1n << BigInt(bit))) {
      names.push(name.slice(0, 46));
      mask &= ~(1n << BigInt(bit));
    }
  }
  if (mask) names.push(`Unknown incompatible feature: ${mask.toString(16)}`);
  return `Unsupported qcow2 feature(s): ${names.join(', ')}`;
}

function compressionProblem(f: Fields): string | undefined {
  if (f.compressionType > 1) return `qcow2: unknown compression type: ${f.compressionType}`;
  const flagged = (f.incompat & INCOMPAT_COMPRESSION) !== 0n;
  if (f.compressionType === 0 && flagged) return 'qcow2: Compression type incompatible feature bit must not be set';
  if (f.compressionType !== 0 && !flagged) return 'qcow2: Compression type incompatible feature bit must be set';
  return undefined;
}

/** qcow2_validate_table (qcow2.c:655): the entry count against a maximum size, then the offset. */
function tableProblem(
  name: string,
  offset: bigint,
  entries: number,
  entryLen: bigint,
  max: bigint,
  clusterBits: number,
): string | undefined {
  if (BigInt(entries) > max / entryLen) return `${name} too large`;
  const misaligned = offset % (1n << BigInt(clusterBits)) !== 0n;
  return INT64_MAX - BigInt(entries) * entryLen < offset || misaligned ? `${name} offset invalid` : undefined;
}

/** The tables qcow2_do_open checks before it reads anything else (qcow2.c:1523-1572), then the L1 size. */
function tableProblems(f: Fields): Array<string | undefined> {
  const cluster = 1n << BigInt(f.clusterBits);
  const l2Bits = BigInt(f.clusterBits) - (f.incompat & INCOMPAT_EXTL2 ? 4n : 3n);
  const shift = BigInt(f.clusterBits) + l2Bits;
  const l1Needed = BigInt.asUintN(64, f.size + (1n << shift) - 1n) >> shift;
  return [
    tableProblem('Reference count table', f.refcountOffset, f.refcountClusters, cluster, 8n * MiB, f.clusterBits),
    // sizeof(QCowSnapshotHeader) is 40; QCOW_MAX_SNAPSHOTS 65536.
    tableProblem('Snapshot table', f.snapshotsOffset, f.snapshots, 40n, 40n * 65536n, f.clusterBits),
    tableProblem('Active L1 table', f.l1Offset, f.l1Size, 8n, 32n * MiB, f.clusterBits),
    l1Needed > 0x7fffffffn ? 'Image is too big' : undefined,
    BigInt(f.l1Size) < l1Needed ? 'L1 table is too small' : undefined,
  ];
}

/** Problems in the order qcow2_do_open meets them; each is its error message. */
function openProblems(f: Fields, ext: Qcow2Extensions): Array<string | undefined> {
  const dataFileBit = (f.incompat & INCOMPAT_DATA_FILE) !== 0n;
  return [
    compressionProblem(f),
    unsupportedFeatures(f, ext),
    f.incompat & INCOMPAT_EXTL2 && f.clusterBits < 14
      ? `Unsupported subcluster size: ${2 ** f.clusterBits / 32}`
      : undefined,
    f.refcountOrder > 6 ? 'Reference count entry width too large; may not exceed 64 bits' : undefined,
    f.refcountClusters === 0 ? 'Image does not contain a reference count table' : undefined,
    ...tableProblems(f),
    f.crypt > 2 ? `Unsupported encryption method ${f.crypt}` : undefined,
    ext.problem,
    // Unless a data-file option names one (qcow2.c:1617-1660).
    dataFileBit && ext.dataFile === undefined ? "'data-file' is required for this image" : undefined,
    !dataFileBit && f.autoclear & AUTOCLEAR_DATA_FILE_RAW ? 'data-file-raw requires a data file' : undefined,
    // qemu-img info (BDRV_O_NO_IO) skips this one (qcow2.c:1670-1687).
    f.crypt === 2 && !ext.hasCryptoHeader ? 'Missing CRYPTO header for crypt method 2' : undefined,
  ];
}

function readBackingName(src: ByteSource, f: Fields, header: ImageHeader): void {
  const offset = Number(f.backingOffset); // <= cluster size, checked by layoutProblem
  // qcow2.c:1692: at most 1023 bytes, and within the cluster that holds the header.
  if (f.backingSize > Math.min(1023, 2 ** f.clusterBits - offset)) {
    refused(header, 'Backing file name too long');
    return;
  }
  if (offset + f.backingSize > src.size) header.notes.push('backing file name lies beyond the end of the file');
  const name = cString(readPadded(src, offset, f.backingSize));
  if (name) header.backingFile = name;
}

export const read: HeaderReader = (src) => {
  const header = emptyHeader('qcow2');
  const f = fields(readPadded(src, 0, HEADER_SIZE));
  header.version = f.version;
  const layout = layoutProblem(f);
  if (layout) {
    return refused(header, layout);
  }
  sectorsToSize(f.size / 512n, header);
  header.incompatibleFeatures = Number(f.incompat);
  header.encrypted = f.crypt !== 0;
  const extEnd = f.backingOffset ? Number(f.backingOffset) : 2 ** f.clusterBits;
  const area = readPadded(src, f.headerLength, extEnd - f.headerLength);
  const ext = readExtensions(area, f.headerLength, extEnd, f.crypt);
  for (const p of openProblems(f, ext)) if (p) refused(header, p);
  if (ext.backingFormat !== undefined) header.backingFormat = ext.backingFormat;
  if (ext.dataFile !== undefined) header.dataFile = ext.dataFile;
  if (f.backingOffset) readBackingName(src, f, header);
  return header;
};
