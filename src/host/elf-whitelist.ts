/**
 * Recovers the configured block-driver whitelist from a QEMU binary. block.c's
 * bdrv_format_is_whitelisted keeps it in two function-static arrays,
 * `static const char *whitelist_rw[] = { CONFIG_BDRV_RW_WHITELIST NULL }` and `whitelist_ro[]`
 * (7.2 block.c:481-521), which land in .data: in a PIE each slot is an R_X86_64_RELATIVE relocation
 * whose addend points at a string in .rodata. The strings are merged with the drivers' own
 * format_name literals, so `strings` alone cannot tell them apart (qemu-block-layer.md §4).
 * Unlike `-drive format=help`, this also sees names that are whitelisted but not built.
 */
import { readElf, type Elf } from './elf.js';

export type WhitelistMethod = 'symtab' | 'data-scan' | 'none';

export interface RecoveredWhitelist {
  rw: string[];
  ro: string[];
  method: WhitelistMethod;
  /** Where the arrays were found (symbol names and addresses), or why nothing was recovered. */
  detail: string;
}

export interface RecoverOptions {
  /** Every driver format_name that may appear in a whitelist; the stripped scan accepts arrays of these only. */
  drivers: readonly string[];
  /** The two `-drive format=help` lines: the rw list, then rw ∪ ro (both filtered to drivers this build has). */
  formatHelp?: { readWrite: readonly string[]; readOnly: readonly string[] } | undefined;
}

interface PointerArray {
  addr: number;
  names: string[];
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const nothing = (detail: string): RecoveredWhitelist => ({ rw: [], ro: [], method: 'none', detail });

/** Reads a NULL-terminated array of string pointers; undefined if a slot is neither NULL nor a readable string. */
function readArray(elf: Elf, addr: number, maxSlots: number): string[] | undefined {
  const names: string[] = [];
  for (let slot = 0; slot < maxSlots; slot++) {
    const pointer = elf.pointerAt(addr + slot * 8);
    if (pointer === 0) return names;
    const name = pointer === undefined ? undefined : elf.stringAt(pointer);
    if (name === undefined) return undefined;
    names.push(name);
  }
  return undefined;
}

function fromSymbols(elf: Elf): RecoveredWhitelist | undefined {
  // GCC names function-static arrays `whitelist_rw.219`; clang `bdrv_format_is_whitelisted.whitelist_rw`.
  const found = elf.symbols().filter((s) => /(^|\.)whitelist_r[wo](\.|$)/.test(s.name) && s.value !== 0);
  const rw = found.find((s) => /whitelist_rw/.test(s.name));
  const ro = found.find((s) => /whitelist_ro/.test(s.name));
  if (!rw || !ro) return undefined;
  const slots = (size: number): number => (size > 0 ? size / 8 : 4096);
  const rwNames = readArray(elf, rw.value, slots(rw.size));
  const roNames = readArray(elf, ro.value, slots(ro.size));
  if (!rwNames || !roNames) return undefined;
  return {
    rw: rwNames,
    ro: roNames,
    method: 'symtab',
    detail: `.symtab ${rw.name} at ${hex(rw.value)} and ${ro.name} at ${hex(ro.value)}`,
  };
}

/** NULL-terminated runs of two or more pointer slots in .data whose every target is a driver name. */
export function driverNameArrays(elf: Elf, drivers: ReadonlySet<string>): PointerArray[] {
  const data = elf.section('.data');
  if (!data) return [];
  const end = data.addr + data.size;
  const slots =
    elf.type === 3
      ? elf.relocatedSlots().filter((a) => a >= data.addr && a < end && (a - data.addr) % 8 === 0)
      : Array.from({ length: Math.floor(data.size / 8) }, (_, i) => data.addr + i * 8).filter(
          (a) => (elf.pointerAt(a) ?? 0) !== 0,
        );
  const arrays: PointerArray[] = [];
  let start = 0;
  for (let i = 0; i < slots.length; i++) {
    const here = slots[i] as number;
    const next = slots[i + 1];
    if (next === here + 8) continue;
    const run = slots.slice(start, i + 1);
    start = i + 1;
    if (run.length < 2 || elf.pointerAt(here + 8) !== 0) continue;
    const names = run.map((a) => elf.stringAt(elf.pointerAt(a) ?? -1));
    if (names.every((n): n is string => n !== undefined && drivers.has(n)))
      arrays.push({ addr: run[0] as number, names });
  }
  return arrays;
}

const subset = (a: Iterable<string>, b: ReadonlySet<string>): boolean => [...a].every((x) => b.has(x));

function fromDataScan(elf: Elf, options: RecoverOptions): RecoveredWhitelist {
  const arrays = driverNameArrays(elf, new Set(options.drivers));
  if (arrays.length === 0) return nothing('no .symtab, and .data holds no NULL-terminated array of driver names');
  const help = options.formatHelp;
  if (!help)
    return nothing(
      `no .symtab; ${arrays.length} driver-name arrays in .data, but no format=help lines to tell rw from ro`,
    );
  // format=help line 1 = rw ∩ built, line 2 = (rw ∪ ro) ∩ built (block.c bdrv_iterate_format).
  const line1 = new Set(help.readWrite);
  const line2 = new Set(help.readOnly);
  const onlyRo = new Set([...line2].filter((n) => !line1.has(n)));
  const isRw = (a: PointerArray): boolean =>
    subset(line1, new Set(a.names)) && a.names.every((n) => !line2.has(n) || line1.has(n));
  const isRo = (a: PointerArray): boolean => subset(onlyRo, new Set(a.names));
  const rwMatches = line1.size > 0 ? arrays.filter(isRw) : [];
  if (rwMatches.length > 1 || (line1.size > 0 && rwMatches.length === 0)) {
    return nothing(
      `no .symtab; ${rwMatches.length} of ${arrays.length} driver-name arrays in .data match format=help line 1`,
    );
  }
  const rw = rwMatches[0];
  const roMatches = onlyRo.size > 0 ? arrays.filter((a) => a !== rw && isRo(a)) : [];
  if (roMatches.length > 1 || (onlyRo.size > 0 && roMatches.length === 0)) {
    return nothing(
      `no .symtab; ${roMatches.length} of ${arrays.length} driver-name arrays in .data match format=help line 2`,
    );
  }
  const ro = roMatches[0];
  if (!rw && !ro)
    return nothing(`no .symtab; none of ${arrays.length} driver-name arrays in .data matches the format=help lines`);
  const where = [rw ? `rw at ${hex(rw.addr)}` : '', ro ? `ro at ${hex(ro.addr)}` : ''].filter(Boolean).join(', ');
  return {
    rw: rw?.names ?? [],
    ro: ro?.names ?? [],
    method: 'data-scan',
    detail: `stripped: NULL-terminated driver-name arrays in .data (${where})`,
  };
}

export function recoverWhitelist(buf: Buffer, options: RecoverOptions): RecoveredWhitelist {
  const elf = readElf(buf);
  if (!elf) return nothing('not an ELF64 little-endian file with section headers');
  return fromSymbols(elf) ?? fromDataScan(elf, options);
}
