/** CRC-32C (Castagnoli, reflected 0x82f63b78), as util/crc32c.c computes it for VHDX checksums. */
const TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  return c >>> 0;
});

/** crc32c(0xffffffff, buf) with the 4 bytes at `skip` read as zero: vhdx_checksum_calc. */
export function crc32c(buf: Uint8Array, skip: number): number {
  let crc = 0xffffffff;
  for (let i = 0; i < buf.length; i++) {
    const byte = i >= skip && i < skip + 4 ? 0 : (buf[i] ?? 0);
    crc = (TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
