/** Little helpers over byte arrays; out-of-range reads yield 0, as if the bytes were zero. */

const at = (b: Uint8Array, o: number): number => b[o] ?? 0;

export const u8 = at;
export const u16le = (b: Uint8Array, o: number): number => at(b, o) | (at(b, o + 1) << 8);
export const u16be = (b: Uint8Array, o: number): number => (at(b, o) << 8) | at(b, o + 1);
export const u32le = (b: Uint8Array, o: number): number => (u16le(b, o) + u16le(b, o + 2) * 0x10000) >>> 0;
export const u32be = (b: Uint8Array, o: number): number => (u16be(b, o) * 0x10000 + u16be(b, o + 2)) >>> 0;
export const u64le = (b: Uint8Array, o: number): bigint => (BigInt(u32le(b, o + 4)) << 32n) | BigInt(u32le(b, o));
export const u64be = (b: Uint8Array, o: number): bigint => (BigInt(u32be(b, o)) << 32n) | BigInt(u32be(b, o + 4));

/** A bigint as a number when it is exactly representable, else undefined. */
export function safeNumber(n: bigint): number | undefined {
  return n >= 0n && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : undefined;
}

/** memcmp(b + o, s, strlen(s)) == 0 for an ASCII/latin1 string. */
export function bytesEqual(b: Uint8Array, o: number, s: string): boolean {
  for (let i = 0; i < s.length; i++) if (at(b, o + i) !== s.charCodeAt(i)) return false;
  return true;
}

/** strcmp(b + o, s) == 0: the bytes match and are NUL-terminated right after. */
export function cStringEqual(b: Uint8Array, o: number, s: string): boolean {
  return bytesEqual(b, o, s) && at(b, o + s.length) === 0;
}

/** Index of the first NUL at or after `from`, or `b.length`. */
export function cStringEnd(b: Uint8Array, from = 0): number {
  const i = b.indexOf(0, from);
  return i < 0 ? b.length : i;
}

const utf8 = new TextDecoder('utf-8');

/** The C string starting at `from` (up to the first NUL or `end`), decoded as UTF-8. */
export function cString(b: Uint8Array, from = 0, end = b.length): string {
  const stop = Math.min(end, cStringEnd(b, from));
  return stop > from ? utf8.decode(b.subarray(from, stop)) : '';
}

/** strstr() on bytes: index of `needle` (ASCII) in b[from, end), or -1. */
export function indexOfAscii(b: Uint8Array, needle: string, from = 0, end = b.length): number {
  const first = needle.charCodeAt(0);
  for (let i = b.indexOf(first, from); i >= 0 && i + needle.length <= end; i = b.indexOf(first, i + 1)) {
    if (bytesEqual(b, i, needle)) return i;
  }
  return -1;
}
