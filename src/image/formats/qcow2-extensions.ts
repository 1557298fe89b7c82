import { cString, u32be, u8 } from '../bytes.js';

const EXT_END = 0;
const EXT_BACKING_FORMAT = 0xe2792aca;
const EXT_FEATURE_TABLE = 0x6803f857;
const EXT_CRYPTO_HEADER = 0x0537be77;
const EXT_DATA_FILE = 0x44415441;
const QCOW_CRYPT_LUKS = 2;
/** sizeof(bs->backing_format) in include/block/block_int-common.h. */
const BACKING_FORMAT_SIZE = 16;
const FEATURE_ENTRY_SIZE = 48;

export interface Qcow2Extensions {
  backingFormat?: string;
  dataFile?: string;
  hasCryptoHeader: boolean;
  /** Names of incompatible feature bits from the feature name table, in table order. */
  incompatibleNames: Array<{ bit: number; name: string }>;
  /** The message qcow2_read_extensions would fail with, if any. */
  problem?: string;
}

function featureNames(b: Uint8Array): Array<{ bit: number; name: string }> {
  const names: Array<{ bit: number; name: string }> = [];
  // report_unsupported_feature (qcow2.c:471) stops at the first entry with an empty name.
  for (let o = 0; o + 2 < b.length && u8(b, o + 2) !== 0; o += FEATURE_ENTRY_SIZE) {
    if (u8(b, o) === 0)
      names.push({ bit: u8(b, o + 1), name: cString(b, o + 2, Math.min(b.length, o + FEATURE_ENTRY_SIZE)) });
  }
  return names;
}

/**
 * A port of qcow2_read_extensions (block/qcow2.c:201): `area` holds the file bytes from
 * `start` (header_length) to `end` (backing_file_offset, or the cluster size).
 */
export function readExtensions(area: Uint8Array, start: number, end: number, cryptMethod: number): Qcow2Extensions {
  const ext: Qcow2Extensions = { hasCryptoHeader: false, incompatibleNames: [] };
  let offset = start;
  while (offset < end) {
    const magic = u32be(area, offset - start);
    const len = u32be(area, offset - start + 4);
    offset += 8;
    if (offset > end || len > end - offset) return { ...ext, problem: 'Header extension too large' };
    const data = area.subarray(offset - start, offset - start + len);
    switch (magic) {
      case EXT_END:
        return ext;
      case EXT_BACKING_FORMAT:
        if (len >= BACKING_FORMAT_SIZE) {
          return { ...ext, problem: `ERROR: ext_backing_format: len=${len} too large (>=${BACKING_FORMAT_SIZE})` };
        }
        ext.backingFormat = cString(data);
        break;
      case EXT_FEATURE_TABLE:
        ext.incompatibleNames = featureNames(data);
        break;
      case EXT_CRYPTO_HEADER:
        if (cryptMethod !== QCOW_CRYPT_LUKS) {
          return { ...ext, problem: 'CRYPTO header extension only expected with LUKS encryption method' };
        }
        if (len !== 16) return { ...ext, problem: `CRYPTO header extension size ${len}, but expected size 16` };
        ext.hasCryptoHeader = true;
        break;
      case EXT_DATA_FILE:
        ext.dataFile = cString(data);
        break;
      default:
        break;
    }
    offset += (len + 7) & ~7;
  }
  return ext;
}
