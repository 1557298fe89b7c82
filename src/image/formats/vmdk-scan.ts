/**
 * The one sscanf() call of vmdk_parse_extents (block/vmdk.c:1152), ported literally:
 *   "%10s %" SCNd64 " %10s \"%511[^\n\r\"]\" %" SCNd64
 * Like sscanf it reads on past the end of the line, since whitespace directives skip newlines.
 * Works on a binary string (one char per byte).
 */
export interface ExtentScan {
  /** sscanf's return value: how many conversions succeeded (-1 for input failure before the first). */
  matches: number;
  access: string;
  sectors: bigint;
  type: string;
  fname: string;
  flatOffset: bigint;
}

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

class Cursor {
  constructor(
    readonly s: string,
    public i: number,
  ) {}
  skipSpace(): void {
    while (isSpace(this.s[this.i])) this.i++;
  }
  atEnd(): boolean {
    return this.i >= this.s.length;
  }
  /** %Ns: skip whitespace, then up to n non-space characters. */
  word(n: number): string | undefined {
    this.skipSpace();
    const start = this.i;
    while (this.i - start < n && !this.atEnd() && !isSpace(this.s[this.i])) this.i++;
    return this.i > start ? this.s.slice(start, this.i) : undefined;
  }
  /** %lld: strtoll in base 10, saturating like glibc. */
  int64(): bigint | undefined {
    this.skipSpace();
    const m = /^[+-]?\d+/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) return undefined;
    let end = this.i + m[0].length;
    while (end < this.s.length && /\d/.test(this.s[end] ?? '')) end++; // overlong: saturate below
    const value = BigInt(m[0]);
    this.i = end;
    return value > INT64_MAX ? INT64_MAX : value < INT64_MIN ? INT64_MIN : value;
  }
  literal(c: string): boolean {
    if (this.s[this.i] !== c) return false;
    this.i++;
    return true;
  }
  /** %511[^\n\r"] */
  filename(): string | undefined {
    const start = this.i;
    while (this.i - start < 511 && !this.atEnd() && !'\n\r"'.includes(this.s[this.i] ?? '')) this.i++;
    return this.i > start ? this.s.slice(start, this.i) : undefined;
  }
}

export function scanExtentLine(s: string, from: number): ExtentScan {
  const r: ExtentScan = { matches: 0, access: '', sectors: 0n, type: '', fname: '', flatOffset: -1n };
  const c = new Cursor(s, from);
  const access = c.word(10);
  if (access === undefined) return { ...r, matches: c.atEnd() ? -1 : 0 };
  r.access = access;
  const sectors = c.int64();
  if (sectors === undefined) return { ...r, matches: 1 };
  r.sectors = sectors;
  const type = c.word(10);
  if (type === undefined) return { ...r, matches: 2 };
  r.type = type;
  c.skipSpace();
  if (!c.literal('"')) return { ...r, matches: 3 };
  const fname = c.filename();
  if (fname === undefined) return { ...r, matches: 3 };
  r.fname = fname;
  if (!c.literal('"')) return { ...r, matches: 4 };
  const flatOffset = c.int64();
  if (flatOffset === undefined) return { ...r, matches: 4 };
  return { ...r, flatOffset, matches: 5 };
}
