import { readPadded } from '../byte-source.js';
import { bytesEqual, u16be, u32be } from '../bytes.js';
import { emptyHeader, refused, sectorsToSize, type HeaderReader, type Probe } from './types.js';

const MAGIC = 'LUKS\xba\xbe';
/** offsetof(QCryptoBlockLUKSHeader, cipher_name): all qcrypto_block_luks_has_format needs. */
const PROBE_SIZE = 8;

// crypto/block-luks.c:227-240: LUKS1 only; a LUKS2 header (version 2) does not probe.
export const probe: Probe = (buf, bufSize) =>
  bufSize >= PROBE_SIZE && bytesEqual(buf, 0, MAGIC) && u16be(buf, 6) === 1 ? 100 : 0;

const hasNul = (b: Uint8Array, from: number, len: number): boolean => b.subarray(from, from + len).includes(0);

/** The checks of qcrypto_block_luks_check_header (crypto/block-luks.c:460) that need no key slot maths. */
function headerProblem(b: Uint8Array): string | undefined {
  if (!bytesEqual(b, 0, MAGIC)) return 'Volume is not in LUKS format';
  if (u16be(b, 6) !== 1) return `LUKS version ${u16be(b, 6)} is not supported`;
  if (!hasNul(b, 8, 32)) return 'LUKS header cipher name is not NUL terminated';
  if (!hasNul(b, 40, 32)) return 'LUKS header cipher mode is not NUL terminated';
  if (!hasNul(b, 72, 32)) return 'LUKS header hash spec is not NUL terminated';
  if (u32be(b, 104) < 8) return 'LUKS payload is overlapping with the header';
  if (u32be(b, 164) === 0) return 'LUKS key iteration count is zero';
  return undefined;
}

export const read: HeaderReader = (src) => {
  const header = { ...emptyHeader('luks'), encrypted: true };
  const b = readPadded(src, 0, 592);
  header.version = u16be(b, 6);
  const problem = headerProblem(b);
  if (problem) {
    return refused(header, problem);
  }
  // block/crypto.c:534 block_crypto_getlength: the file's length minus the payload offset.
  const payload = BigInt(u32be(b, 104));
  const sectors = BigInt(Math.ceil(src.size / 512));
  if (payload > sectors) header.notes.push('LUKS payload offset is beyond the end of the file');
  else sectorsToSize(sectors - payload, header);
  return header;
};
