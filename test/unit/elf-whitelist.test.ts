import { describe, expect, it } from 'vitest';
import { recoverWhitelist } from '../../src/host/elf-whitelist.js';
import { ALL_DRIVERS } from '../../src/host/block-modules.js';
import { readBinaryFacts, configuredModuleDir } from '../../src/host/binary-facts.js';

/**
 * A minimal ELF64 little-endian file laid out like block.c's whitelist arrays in a real QEMU:
 * strings in .rodata, NULL-terminated pointer arrays in .data, and for a PIE one
 * R_X86_64_RELATIVE relocation per slot in .rela.dyn. Virtual addresses differ from file offsets.
 */
interface ArraySpec {
  symbol?: string;
  names: string[];
}

interface ElfSpec {
  arrays: ArraySpec[];
  symtab?: boolean;
  pie?: boolean;
  /** Extra .rodata strings (not referenced). */
  rodata?: string[];
}

const BASE = 0x40_0000;

function buildElf(spec: ElfSpec): Buffer {
  const pie = spec.pie ?? true;
  // .rodata: a leading NUL, then every string.
  const strings = [...new Set([...spec.arrays.flatMap((a) => a.names), ...(spec.rodata ?? [])])];
  const rodataParts: Buffer[] = [Buffer.from([0])];
  const stringOffset = new Map<string, number>();
  let size = 1;
  for (const s of strings) {
    stringOffset.set(s, size);
    rodataParts.push(Buffer.from(`${s}\0`, 'latin1'));
    size += s.length + 1;
  }
  const rodata = Buffer.concat(rodataParts);
  const rodataOff = 0x40;
  const rodataAddr = BASE + rodataOff;
  // .data: each array then its NULL slot, then one zero slot of padding.
  const dataOff = align(rodataOff + rodata.length, 32);
  const dataAddr = BASE + 0x10_0000 + dataOff;
  const slots: bigint[] = [0n];
  const relocs: { offset: number; addend: number }[] = [];
  const arrayAddr: number[] = [];
  for (const array of spec.arrays) {
    arrayAddr.push(dataAddr + slots.length * 8);
    for (const name of array.names) {
      const target = rodataAddr + (stringOffset.get(name) as number);
      relocs.push({ offset: dataAddr + slots.length * 8, addend: target });
      slots.push(pie ? 0n : BigInt(target));
    }
    slots.push(0n, 0n);
  }
  const data = Buffer.alloc(slots.length * 8);
  for (const [i, v] of slots.entries()) data.writeBigUInt64LE(v, i * 8);
  const relaOff = align(dataOff + data.length, 8);
  const rela = Buffer.alloc(pie ? relocs.length * 24 : 0);
  if (pie) {
    relocs.forEach((r, i) => {
      rela.writeBigUInt64LE(BigInt(r.offset), i * 24);
      rela.writeBigUInt64LE(8n, i * 24 + 8);
      rela.writeBigInt64LE(BigInt(r.addend), i * 24 + 16);
    });
  }
  // .symtab/.strtab
  const symNames = spec.symtab ? spec.arrays.filter((a) => a.symbol) : [];
  const strtab = Buffer.from(`\0${symNames.map((a) => `${a.symbol}\0`).join('')}`, 'latin1');
  const symtab = Buffer.alloc(spec.symtab ? (symNames.length + 1) * 24 : 0);
  let nameAt = 1;
  spec.arrays.forEach((a, i) => {
    if (!spec.symtab || !a.symbol) return;
    const at = (symNames.indexOf(a) + 1) * 24;
    symtab.writeUInt32LE(nameAt, at);
    symtab.writeUInt8(1, at + 4); // STB_LOCAL, STT_OBJECT
    symtab.writeUInt16LE(2, at + 6); // .data
    symtab.writeBigUInt64LE(BigInt(arrayAddr[i] as number), at + 8);
    symtab.writeBigUInt64LE(BigInt((a.names.length + 1) * 8), at + 16);
    nameAt += (a.symbol as string).length + 1;
  });
  const names = ['', '.rodata', '.data', '.rela.dyn', ...(spec.symtab ? ['.symtab', '.strtab'] : []), '.shstrtab'];
  const shstrtab = Buffer.from(`${names.map((n) => `${n}\0`).join('')}`, 'latin1');
  const nameOffset = (n: string): number => names.slice(0, names.indexOf(n)).reduce((sum, x) => sum + x.length + 1, 0);
  const symOff = relaOff + rela.length;
  const strOff = symOff + symtab.length;
  const shstrOff = strOff + strtab.length;
  const shoff = align(shstrOff + shstrtab.length, 8);
  type Sh = [
    name: string,
    type: number,
    flags: number,
    addr: number,
    offset: number,
    size: number,
    link: number,
    entsize: number,
  ];
  const headers: Sh[] = [
    ['', 0, 0, 0, 0, 0, 0, 0],
    ['.rodata', 1, 2, rodataAddr, rodataOff, rodata.length, 0, 0],
    ['.data', 1, 3, dataAddr, dataOff, data.length, 0, 0],
    ['.rela.dyn', 4, 2, BASE + relaOff, relaOff, rela.length, 0, 24],
    ...(spec.symtab
      ? ([
          ['.symtab', 2, 0, 0, symOff, symtab.length, 5, 24],
          ['.strtab', 3, 0, 0, strOff, strtab.length, 0, 0],
        ] as Sh[])
      : []),
    ['.shstrtab', 3, 0, 0, shstrOff, shstrtab.length, 0, 0],
  ];
  const file = Buffer.alloc(shoff + headers.length * 64);
  file.writeUInt32BE(0x7f454c46, 0);
  file[4] = 2; // ELFCLASS64
  file[5] = 1; // little-endian
  file[6] = 1;
  file.writeUInt16LE(pie ? 3 : 2, 16);
  file.writeUInt16LE(62, 18); // EM_X86_64
  file.writeBigUInt64LE(BigInt(shoff), 0x28);
  file.writeUInt16LE(64, 0x34);
  file.writeUInt16LE(64, 0x3a);
  file.writeUInt16LE(headers.length, 0x3c);
  file.writeUInt16LE(headers.length - 1, 0x3e);
  rodata.copy(file, rodataOff);
  data.copy(file, dataOff);
  rela.copy(file, relaOff);
  symtab.copy(file, symOff);
  strtab.copy(file, strOff);
  shstrtab.copy(file, shstrOff);
  headers.forEach(([name, type, flags, addr, offset, length, link, entsize], i) => {
    const at = shoff + i * 64;
    file.writeUInt32LE(name === '' ? 0 : nameOffset(name), at);
    file.writeUInt32LE(type, at + 4);
    file.writeBigUInt64LE(BigInt(flags), at + 8);
    file.writeBigUInt64LE(BigInt(addr), at + 16);
    file.writeBigUInt64LE(BigInt(offset), at + 24);
    file.writeBigUInt64LE(BigInt(length), at + 32);
    file.writeUInt32LE(link, at + 40);
    file.writeBigUInt64LE(BigInt(entsize), at + 56);
  });
  return file;
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

// Like the rhel7 oracle: iscsi and rbd are whitelisted but not built, so format=help cannot show them.
const RO = { symbol: 'whitelist_ro.218', names: ['vmdk', 'vhdx', 'https'] };
const RW = { symbol: 'whitelist_rw.219', names: ['qcow2', 'raw', 'file', 'iscsi', 'rbd'] };
const HELP = { readWrite: ['file', 'qcow2', 'raw'], readOnly: ['file', 'https', 'qcow2', 'raw', 'vhdx', 'vmdk'] };
const drivers = ALL_DRIVERS;

describe('recoverWhitelist', () => {
  it('follows whitelist_rw.N / whitelist_ro.N from .symtab through their RELATIVE relocations', () => {
    const elf = buildElf({ arrays: [RO, RW], symtab: true });
    expect(recoverWhitelist(elf, { drivers })).toEqual({
      rw: RW.names,
      ro: RO.names,
      method: 'symtab',
      detail: expect.stringContaining('whitelist_rw.219'),
    });
  });

  it('accepts clang-style names (function.whitelist_rw)', () => {
    const elf = buildElf({
      arrays: [
        { ...RO, symbol: 'bdrv_format_is_whitelisted.whitelist_ro' },
        { ...RW, symbol: 'bdrv_format_is_whitelisted.whitelist_rw' },
      ],
      symtab: true,
    });
    expect(recoverWhitelist(elf, { drivers })).toMatchObject({ rw: RW.names, ro: RO.names, method: 'symtab' });
  });

  it('reads empty arrays from .symtab as no whitelist', () => {
    const elf = buildElf({
      arrays: [
        { symbol: 'whitelist_ro.1', names: [] },
        { symbol: 'whitelist_rw.2', names: [] },
      ],
      symtab: true,
    });
    expect(recoverWhitelist(elf, { drivers })).toMatchObject({ rw: [], ro: [], method: 'symtab' });
  });

  it('scans .data of a stripped binary and tells rw from ro with the format=help lines, not by order', () => {
    const elf = buildElf({ arrays: [RO, RW] });
    expect(recoverWhitelist(elf, { drivers, formatHelp: HELP })).toMatchObject({
      rw: RW.names,
      ro: RO.names,
      method: 'data-scan',
    });
    const swapped = buildElf({ arrays: [RW, RO] });
    expect(recoverWhitelist(swapped, { drivers, formatHelp: HELP })).toMatchObject({
      rw: RW.names,
      ro: RO.names,
      method: 'data-scan',
    });
  });

  it('reads absolute pointers in a non-PIE executable', () => {
    const elf = buildElf({ arrays: [RO, RW], pie: false });
    expect(recoverWhitelist(elf, { drivers, formatHelp: HELP })).toMatchObject({
      rw: RW.names,
      ro: RO.names,
      method: 'data-scan',
    });
  });

  it('ignores arrays with a name that is not a driver, and one-entry arrays', () => {
    const elf = buildElf({ arrays: [{ names: ['qcow2', 'not-a-driver'] }, { names: ['raw'] }, RO, RW] });
    expect(recoverWhitelist(elf, { drivers, formatHelp: HELP })).toMatchObject({
      rw: RW.names,
      ro: RO.names,
      method: 'data-scan',
    });
  });

  it('takes the driver names as a parameter', () => {
    const elf = buildElf({ arrays: [RO, RW] });
    const withoutRbd = drivers.filter((d) => d !== 'rbd');
    expect(recoverWhitelist(elf, { drivers: withoutRbd, formatHelp: HELP }).method).toBe('none');
  });

  it('gives up without format=help lines to tell the two arrays apart', () => {
    expect(recoverWhitelist(buildElf({ arrays: [RO, RW] }), { drivers })).toMatchObject({
      rw: [],
      ro: [],
      method: 'none',
    });
  });

  it('gives up when no array matches the format=help lines', () => {
    const help = { readWrite: ['qcow2', 'vpc'], readOnly: ['qcow2', 'vpc'] };
    expect(recoverWhitelist(buildElf({ arrays: [RO, RW] }), { drivers, formatHelp: help }).method).toBe('none');
  });

  it('finds nothing in a stripped binary without a whitelist (stock Debian)', () => {
    const elf = buildElf({ arrays: [{ names: [] }, { names: [] }] });
    const all = ['file', 'qcow2', 'raw', 'vmdk'];
    expect(recoverWhitelist(elf, { drivers, formatHelp: { readWrite: all, readOnly: all } })).toMatchObject({
      rw: [],
      ro: [],
      method: 'none',
    });
  });

  it('returns none for something that is not ELF64 little-endian', () => {
    expect(recoverWhitelist(Buffer.from('#!/bin/sh\nexec qemu-system-x86_64 "$@"\n'), { drivers }).method).toBe('none');
    const elf32 = buildElf({ arrays: [RO, RW], symtab: true });
    elf32[4] = 1;
    expect(recoverWhitelist(elf32, { drivers }).method).toBe('none');
  });
});

describe('readBinaryFacts', () => {
  const loader = [
    'QEMU_MODULE_DIR',
    '/var/run/qemu/%s',
    '%s/%s%s',
    'failed to open module: %s',
    '/usr/lib/x86_64-linux-gnu/qemu',
    'Only modules from the same build can be loaded.',
  ];

  it('finds the module loader, CONFIG_QEMU_MODDIR next to it, CONFIG_BINDIR and module upgrades', () => {
    const elf = buildElf({
      arrays: [],
      rodata: ['/usr/lib/ipxe/qemu', ...loader, '/usr/bin', 'qemu_stamp_f1b4c2639e440a9f989736fb1ad6d8336564df2e'],
    });
    expect(readBinaryFacts(elf)).toMatchObject({
      moduleLoader: true,
      moduleDir: '/usr/lib/x86_64-linux-gnu/qemu',
      bindir: '/usr/bin',
      moduleUpgrades: true,
      stamp: 'qemu_stamp_f1b4c2639e440a9f989736fb1ad6d8336564df2e',
    });
  });

  it('sees no loader in a build without modules', () => {
    expect(readBinaryFacts(buildElf({ arrays: [], rodata: ['/usr/share/qemu'] }))).toMatchObject({
      moduleLoader: false,
      moduleUpgrades: false,
    });
  });

  it("finds Debian's missing-module hint", () => {
    const elf = buildElf({ arrays: [], rodata: ['qemu: module %s%s not found, do you want to install %s package?\n'] });
    expect(readBinaryFacts(elf).debianHint).toBe('qemu: module %s%s not found, do you want to install %s package?');
  });
});

describe('configuredModuleDir', () => {
  const facts = { moduleLoader: true, moduleUpgrades: false, supplemental: false, needed: [] };

  it('relocates the module dir next to the binary, as get_relocated_path does', () => {
    const moved = { ...facts, moduleDir: '/usr/local/lib/x86_64-linux-gnu/qemu', bindir: '/usr/local/bin' };
    expect(configuredModuleDir(moved, '/opt/rhel9/bin', false)).toEqual({
      dir: '/opt/rhel9/lib/x86_64-linux-gnu/qemu',
      relocated: true,
    });
    expect(configuredModuleDir(moved, '/usr/local/bin', false)).toEqual({
      dir: '/usr/local/lib/x86_64-linux-gnu/qemu',
      relocated: false,
    });
  });

  it("gives RHEL's /usr/lib64/qemu-kvm for /usr/libexec/qemu-kvm", () => {
    const rhel = { ...facts, moduleDir: '/usr/lib64/qemu-kvm', bindir: '/usr/bin' };
    expect(configuredModuleDir(rhel, '/usr/libexec', false)?.dir).toBe('/usr/lib64/qemu-kvm');
  });

  it('uses <exec dir>/qemu-bundle in a build tree, the literal path without CONFIG_BINDIR', () => {
    const build = { ...facts, moduleDir: '/usr/local/lib/qemu' };
    expect(configuredModuleDir(build, '/src/build', true)?.dir).toBe('/src/build/qemu-bundle/usr/local/lib/qemu');
    expect(configuredModuleDir(build, '/src/build', false)).toEqual({ dir: '/usr/local/lib/qemu', relocated: false });
  });
});
