/**
 * Just enough of ELF64 little-endian (x86-64 Linux executables) to read pointers and strings out of a
 * QEMU binary: section headers, symbols, RELA relocations, DT_NEEDED. Pure over a Buffer, no native deps.
 */

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  section: number;
}

export interface Elf {
  /** ET_EXEC (2) holds absolute pointers; ET_DYN (3, PIE) gets them from R_X86_64_RELATIVE relocations. */
  type: number;
  sections: ElfSection[];
  section(name: string): ElfSection | undefined;
  /** File offset of a virtual address inside a section with file contents, or undefined. */
  offsetOf(addr: number): number | undefined;
  /** The pointer stored at a virtual address: its RELATIVE addend (PIE) or the raw 8 bytes (non-PIE); 0 for NULL. */
  pointerAt(addr: number): number | undefined;
  /** Addresses of every RELATIVE relocation slot, sorted. */
  relocatedSlots(): number[];
  /** The NUL-terminated printable string at a virtual address (at most 255 bytes), or undefined. */
  stringAt(addr: number): string | undefined;
  symbols(): ElfSymbol[];
  /** DT_NEEDED library names. */
  needed(): string[];
}

const SHT_SYMTAB = 2;
const SHT_RELA = 4;
const SHT_NOBITS = 8;
const SHT_DYNAMIC = 6;
const SHF_ALLOC = 2;
const R_X86_64_RELATIVE = 8;
const DT_NEEDED = 1;

function u64(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 0x1_0000_0000;
}

function cString(buf: Buffer, at: number, max = 256): string | undefined {
  if (at < 0 || at >= buf.length) return undefined;
  const end = buf.indexOf(0, at);
  if (end < 0 || end - at >= max) return undefined;
  return buf.toString('latin1', at, end);
}

/** Parses the headers, or returns undefined for anything that is not ELF64 little-endian with section headers. */
export function readElf(buf: Buffer): Elf | undefined {
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2 || buf[5] !== 1) return undefined;
  const type = buf.readUInt16LE(16);
  const shoff = u64(buf, 0x28);
  const shentsize = buf.readUInt16LE(0x3a);
  let shnum = buf.readUInt16LE(0x3c);
  let shstrndx = buf.readUInt16LE(0x3e);
  if (shoff === 0 || shentsize < 64 || shoff + 64 > buf.length) return undefined;
  // Extended numbering (gABI): the real counts live in section header 0.
  if (shnum === 0) shnum = buf.readUInt32LE(shoff + 32);
  if (shstrndx === 0xffff) shstrndx = buf.readUInt32LE(shoff + 40);
  if (shoff + shnum * shentsize > buf.length) return undefined;
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    return {
      nameOffset: buf.readUInt32LE(at),
      type: buf.readUInt32LE(at + 4),
      flags: u64(buf, at + 8),
      addr: u64(buf, at + 16),
      offset: u64(buf, at + 24),
      size: u64(buf, at + 32),
      link: buf.readUInt32LE(at + 40),
      entsize: u64(buf, at + 56),
    };
  });
  const names = raw[shstrndx];
  const sections: ElfSection[] = raw.map(({ nameOffset, ...s }) => ({
    ...s,
    name: names ? (cString(buf, names.offset + nameOffset) ?? '') : '',
  }));
  const loaded = sections.filter(
    (s) => s.flags & SHF_ALLOC && s.type !== SHT_NOBITS && s.addr !== 0 && s.offset + s.size <= buf.length,
  );

  const offsetOf = (addr: number): number | undefined => {
    const s = loaded.find((c) => addr >= c.addr && addr < c.addr + c.size);
    return s ? s.offset + (addr - s.addr) : undefined;
  };

  let relocs: Map<number, number> | undefined;
  const relative = (): Map<number, number> => {
    if (relocs) return relocs;
    relocs = new Map();
    for (const s of sections) {
      if (s.type !== SHT_RELA || s.entsize !== 24 || s.offset + s.size > buf.length) continue;
      for (let at = s.offset; at + 24 <= s.offset + s.size; at += 24) {
        if (buf.readUInt32LE(at + 8) !== R_X86_64_RELATIVE) continue;
        relocs.set(u64(buf, at), Number(buf.readBigInt64LE(at + 16)));
      }
    }
    return relocs;
  };

  const pointerAt = (addr: number): number | undefined => {
    const fromReloc = relative().get(addr);
    if (fromReloc !== undefined) return fromReloc;
    const at = offsetOf(addr);
    if (at === undefined || at + 8 > buf.length) return undefined;
    const value = u64(buf, at);
    // In a PIE an unrelocated slot holds no usable pointer; only NULL means something.
    return type === 3 && value !== 0 ? undefined : value;
  };

  const stringAt = (addr: number): string | undefined => {
    const at = offsetOf(addr);
    if (at === undefined) return undefined;
    const text = cString(buf, at);
    return text !== undefined && /^[\x20-\x7e]*$/.test(text) ? text : undefined;
  };

  const symbols = (): ElfSymbol[] => {
    const table = sections.find((s) => s.type === SHT_SYMTAB);
    const strtab = table ? sections[table.link] : undefined;
    if (!table || !strtab) return [];
    const out: ElfSymbol[] = [];
    for (let at = table.offset; at + 24 <= table.offset + table.size; at += 24) {
      out.push({
        name: cString(buf, strtab.offset + buf.readUInt32LE(at), 4096) ?? '',
        section: buf.readUInt16LE(at + 6),
        value: u64(buf, at + 8),
        size: u64(buf, at + 16),
      });
    }
    return out;
  };

  const needed = (): string[] => {
    const dynamic = sections.find((s) => s.type === SHT_DYNAMIC);
    const dynstr = dynamic ? sections[dynamic.link] : undefined;
    if (!dynamic || !dynstr) return [];
    const out: string[] = [];
    for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.size; at += 16) {
      if (u64(buf, at) !== DT_NEEDED) continue;
      const name = cString(buf, dynstr.offset + u64(buf, at + 8));
      if (name !== undefined) out.push(name);
    }
    return out;
  };

  return {
    type,
    sections,
    section: (name) => sections.find((s) => s.name === name),
    offsetOf,
    pointerAt,
    relocatedSlots: () => [...relative().keys()].sort((a, b) => a - b),
    stringAt,
    symbols,
    needed,
  };
}
