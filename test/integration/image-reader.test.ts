/**
 * The native header reader against the real qemu-img (Debian 7.2). Images are made by
 * qemu-img itself in a temp dir; qemu-img runs there with relative names, as blockgate reads
 * them. A missing qemu-img fails the suite: it never skips.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageFacts } from '../../src/host/image-facts.js';
import { refusalText } from '../../src/image/header.js';
import type { ImageHeader, ProbeFormat } from '../../src/model/image.js';
import { QEMU_IMG, createImage } from '../support/qemu-img.js';

let dir = '';

function qemuImg(...args: string[]): string {
  return execFileSync(QEMU_IMG, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function create(...args: string[]): void {
  createImage(dir, ...args);
}

interface QemuInfo {
  format: string;
  'virtual-size': number;
  encrypted?: boolean;
  'backing-filename'?: string;
  'backing-filename-format'?: string;
  'format-specific'?: { type: string; data: Record<string, unknown> };
}

function info(file: string, format: string): QemuInfo {
  return JSON.parse(qemuImg('info', '-U', '--output=json', '-f', format, file)) as QemuInfo;
}

/** The format qemu-img's probing picks, from its bdrv_open_common trace (works even when the open fails). */
function probedByQemu(file: string): string | undefined {
  const r = spawnSync(QEMU_IMG, ['-T', 'bdrv_open_common', 'info', '-U', file], { cwd: dir, encoding: 'utf8' });
  if (r.error) throw r.error;
  const names = [...r.stderr.matchAll(/format_name "([^"]+)"/g)].map((m) => m[1]);
  return names.find((n) => n !== 'file');
}

/** Turns the qcow2 backing-format extension into an unknown one: a backing file without -F. */
function dropBackingFormat(file: string): void {
  const buf = readFileSync(join(dir, file));
  const at = buf.indexOf(Buffer.from([0xe2, 0x79, 0x2a, 0xca]));
  expect(at).toBeGreaterThan(0);
  buf.writeUInt32BE(0x0badf00d, at);
  writeFileSync(join(dir, file), buf);
}

interface Case {
  file: string;
  format: ProbeFormat;
  make: () => void;
  /** What probing picks when it is not `format`. */
  probed?: ProbeFormat;
}

const CASES: Case[] = [
  { file: 'base.raw', format: 'raw', make: () => create('-f', 'raw', 'base.raw', '1M') },
  { file: 'odd.raw', format: 'raw', make: () => writeFileSync(join(dir, 'odd.raw'), Buffer.alloc(1000, 7)) },
  { file: 'v2.qcow2', format: 'qcow2', make: () => create('-f', 'qcow2', '-o', 'compat=0.10', 'v2.qcow2', '1M') },
  { file: 'v3.qcow2', format: 'qcow2', make: () => create('-f', 'qcow2', '-o', 'compat=1.1', 'v3.qcow2', '1M') },
  {
    file: 'rel-F.qcow2',
    format: 'qcow2',
    make: () => create('-f', 'qcow2', '-b', 'base.raw', '-F', 'raw', 'rel-F.qcow2'),
  },
  {
    file: 'abs-F.qcow2',
    format: 'qcow2',
    make: () => create('-f', 'qcow2', '-b', join(dir, 'v3.qcow2'), '-F', 'qcow2', 'abs-F.qcow2'),
  },
  {
    file: 'rel.qcow2',
    format: 'qcow2',
    make: () => {
      create('-f', 'qcow2', '-b', 'base.raw', '-F', 'raw', 'rel.qcow2');
      dropBackingFormat('rel.qcow2');
    },
  },
  {
    file: 'abs-v2.qcow2',
    format: 'qcow2',
    make: () => {
      create('-f', 'qcow2', '-o', 'compat=0.10', '-b', join(dir, 'base.raw'), '-F', 'raw', 'abs-v2.qcow2');
      dropBackingFormat('abs-v2.qcow2');
    },
  },
  { file: 'df.qcow2', format: 'qcow2', make: () => create('-f', 'qcow2', '-o', 'data_file=df.data', 'df.qcow2', '1M') },
  {
    file: 'dfraw.qcow2',
    format: 'qcow2',
    make: () => create('-f', 'qcow2', '-o', 'data_file=dfraw.data,data_file_raw=on', 'dfraw.qcow2', '1M'),
  },
  {
    file: 'enc.qcow2',
    format: 'qcow2',
    make: () =>
      create(
        '-f',
        'qcow2',
        '--object',
        'secret,id=s0,data=x',
        '-o',
        'encrypt.format=luks,encrypt.key-secret=s0',
        'enc.qcow2',
        '1M',
      ),
  },
  { file: 'v1.qcow', format: 'qcow', make: () => create('-f', 'qcow', '-b', 'base.raw', '-F', 'raw', 'v1.qcow') },
  { file: 'b.qed', format: 'qed', make: () => create('-f', 'qed', '-b', 'base.raw', '-F', 'raw', 'b.qed') },
  {
    file: 'b-qcow2.qed',
    format: 'qed',
    make: () => create('-f', 'qed', '-b', 'v3.qcow2', '-F', 'qcow2', 'b-qcow2.qed'),
  },
  { file: 'ms.vmdk', format: 'vmdk', make: () => create('-f', 'vmdk', 'ms.vmdk', '1M') },
  {
    file: 'mf.vmdk',
    format: 'vmdk',
    make: () => create('-f', 'vmdk', '-o', 'subformat=monolithicFlat', 'mf.vmdk', '1M'),
  },
  {
    file: 'tgs.vmdk',
    format: 'vmdk',
    make: () => create('-f', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse', 'tgs.vmdk', '3G'),
  },
  {
    file: 'tgf.vmdk',
    format: 'vmdk',
    make: () => create('-f', 'vmdk', '-o', 'subformat=twoGbMaxExtentFlat', 'tgf.vmdk', '3G'),
  },
  {
    file: 'so.vmdk',
    format: 'vmdk',
    make: () => create('-f', 'vmdk', '-o', 'subformat=streamOptimized', 'so.vmdk', '1M'),
  },
  { file: 'ov.vmdk', format: 'vmdk', make: () => create('-f', 'vmdk', '-b', 'ms.vmdk', '-F', 'vmdk', 'ov.vmdk') },
  {
    file: 'tgs-ov.vmdk',
    format: 'vmdk',
    make: () =>
      create('-f', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse', '-b', 'ms.vmdk', '-F', 'vmdk', 'tgs-ov.vmdk'),
  },
  { file: 'dyn.vpc', format: 'vpc', make: () => create('-f', 'vpc', 'dyn.vpc', '10M') },
  // A fixed VHD has its footer only at the end: probing (vpc_probe looks at the start) says raw.
  {
    file: 'fixed.vpc',
    format: 'vpc',
    probed: 'raw',
    make: () => create('-f', 'vpc', '-o', 'subformat=fixed', 'fixed.vpc', '10M'),
  },
  { file: 'd.vhdx', format: 'vhdx', make: () => create('-f', 'vhdx', 'd.vhdx', '10M') },
  { file: 'd.vdi', format: 'vdi', make: () => create('-f', 'vdi', 'd.vdi', '10M') },
  { file: 'd.hdd', format: 'parallels', make: () => create('-f', 'parallels', 'd.hdd', '10M') },
  // qemu-img cannot create these two: hand-made, and still checked against qemu-img info.
  { file: 'v2.bochs', format: 'bochs', make: () => writeFileSync(join(dir, 'v2.bochs'), bochs(0x20000, 88)) },
  { file: 'v1.bochs', format: 'bochs', make: () => writeFileSync(join(dir, 'v1.bochs'), bochs(0x10000, 84)) },
  { file: 'd.cloop', format: 'cloop', make: () => writeFileSync(join(dir, 'd.cloop'), cloop()) },
  {
    file: 'd.luks',
    format: 'luks',
    make: () => create('-f', 'luks', '--object', 'secret,id=s0,data=x', '-o', 'key-secret=s0', 'd.luks', '1M'),
  },
];

/** A 1 MiB bochs "growing" redolog with 64 KiB extents, none allocated. */
function bochs(version: number, diskAt: number): Buffer {
  const b = Buffer.alloc(512 + 16 * 4, 0xff);
  b.fill(0, 0, 512);
  b.write('Bochs Virtual HD Image', 0, 'latin1');
  b.write('Redolog', 32, 'latin1');
  b.write('Growing', 48, 'latin1');
  b.writeUInt32LE(version, 64);
  b.writeUInt32LE(512, 68);
  b.writeUInt32LE(16, 72);
  b.writeUInt32LE(512, 76);
  b.writeUInt32LE(65536, 80);
  b.writeBigUInt64LE(1n << 20n, diskAt);
  return b;
}

/** A cloop v2 image of two 64 KiB blocks (their contents never read by info). */
function cloop(): Buffer {
  const b = Buffer.alloc(256);
  b.write('#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0 && mount -r -t iso9660 /dev/cloop $1\n', 0, 'latin1');
  b.writeUInt32BE(65536, 128);
  b.writeUInt32BE(2, 132);
  for (const [i, o] of [160n, 200n, 240n].entries()) b.writeBigUInt64BE(o, 136 + i * 8);
  return b;
}

/** qemu-img's extent names: the descriptor's names joined to the image's directory ("" here). */
function openedExtents(header: ImageHeader, file: string): string[] {
  if (!header.extents) return [file];
  const opened = ['FLAT', 'SPARSE', 'VMFS', 'VMFSSPARSE', 'SESPARSE'];
  return header.extents.filter((e) => e.access === 'RW' && opened.includes(e.type)).map((e) => e.filename);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blockgate-images-'));
  expect(qemuImg('--version')).toMatch(/^qemu-img version 7\.2\./);
  for (const c of CASES) c.make();
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('image reader vs qemu-img info', () => {
  it.each(CASES)('$file probes as qemu-img does', ({ file, format, probed }) => {
    const facts = readImageFacts(file, dir);
    expect(facts.probes?.[0]?.format).toBe(probedByQemu(file));
    expect(facts.probes?.[0]?.format).toBe(probed ?? format);
  });

  it.each(CASES)('$file header matches qemu-img info -f $format', ({ file, format }) => {
    const expected = info(file, format);
    const header = readImageFacts(file, dir, format).header;
    expect(header?.refusal).toBeUndefined();
    expect(header?.notes).toEqual([]);
    expect(header?.format).toBe(expected.format);
    expect(header?.virtualSize).toBe(expected['virtual-size']);
    expect(header?.backingFile).toBe(expected['backing-filename']);
    expect(header?.backingFormat).toBe(expected['backing-filename-format']);
    expect(Boolean(header?.encrypted)).toBe(Boolean(expected.encrypted));
    const data = expected['format-specific']?.data ?? {};
    expect(header?.dataFile).toBe(data['data-file']);
    if (format === 'qcow2') expect(header?.version).toBe(data['compat'] === '0.10' ? 2 : 3);
    if (format === 'vmdk') {
      expect(header?.createType).toBe(data['create-type']);
      const extents = (data['extents'] as Array<{ filename: string }>).map((e) => e.filename);
      expect(openedExtents(header as ImageHeader, file)).toEqual(extents);
    }
  });
});

/** Hand-made first bytes where probing is subtle: ties, the 512-byte probe window, zero-fill. */
const PROBE_EDGES: Array<[string, () => Buffer]> = [
  ['qcow2-vdi.img', () => withVdiSignature(be32s(0x514649fb, 3))],
  ['qcow-vdi.img', () => withVdiSignature(be32s(0x514649fb, 1))],
  ['vmdk-vdi.img', () => withVdiSignature(Buffer.from('KDMV\x01\0\0\0', 'latin1'))],
  ['vpc-vdi.img', () => withVdiSignature(Buffer.from('conectix', 'latin1'))],
  ['vhdx-vdi.img', () => withVdiSignature(Buffer.from('vhdxfile', 'latin1'))],
  ['luks-vdi.img', () => withVdiSignature(Buffer.from('LUKS\xba\xbe\x00\x01', 'latin1'))],
  ['qed-vdi.img', () => withVdiSignature(Buffer.from('QED\0', 'latin1'))],
  ['parallels-vdi.img', () => withVdiSignature(Buffer.from('WithoutFreeSpace\x02\0\0\0', 'latin1'))],
  [
    'cloop.dmg',
    () => Buffer.from('#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0 && mount -r -t iso9660 /dev/cloop $1\n'),
  ],
  [
    'cloop.img',
    () => Buffer.from('#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0 && mount -r -t iso9660 /dev/cloop $1\n'),
  ],
  ['empty.dmg', () => Buffer.alloc(0)],
  ['short.qcow2', () => be32s(0x514649fb, 2)],
  ['at512.vmdk', () => Buffer.from(`#${'x'.repeat(500)}\nversion=1\n`)],
  ['past512.vmdk', () => Buffer.from(`#${'x'.repeat(501)}\nversion=1\n`)],
  ['blank-line.vmdk', () => Buffer.from('# Disk DescriptorFile\n\nversion=1\n')],
  ['spaces.vmdk', () => Buffer.from('# Disk DescriptorFile\n   \r\nversion=2\r\n')],
  ['luks2.img', () => Buffer.from('LUKS\xba\xbe\x00\x02', 'latin1')],
];

function be32s(...words: number[]): Buffer {
  const b = Buffer.alloc(words.length * 4);
  for (const [i, w] of words.entries()) b.writeUInt32BE(w, i * 4);
  return b;
}

function withVdiSignature(start: Buffer): Buffer {
  const b = Buffer.alloc(1024);
  start.copy(b);
  b.writeUInt32LE(0xbeda107f, 0x40);
  return b;
}

describe('probing edge cases vs qemu-img', () => {
  it.each(PROBE_EDGES)('%s', (file, bytes) => {
    writeFileSync(join(dir, file), bytes());
    const facts = readImageFacts(file, dir);
    expect(facts.probes?.[0]?.format).toBe(probedByQemu(file));
  });
});

/** qemu-img's reason for refusing to open `file` as `format`: the text after "Could not open '...': ". */
function refusal(file: string, format: string): string | undefined {
  const r = spawnSync(QEMU_IMG, ['info', '-U', '-f', format, file], { cwd: dir, encoding: 'utf8' });
  if (r.error) throw r.error;
  const line = r.stderr.split('\n').filter(Boolean).pop() ?? '';
  return /^qemu-img: Could not open '[^']*': (.*)$/.exec(line)?.[1];
}

function patch(from: string, to: string, edit: (b: Buffer) => void): void {
  const b = readFileSync(join(dir, from));
  edit(b);
  writeFileSync(join(dir, to), b);
}

const extAt = (b: Buffer): number => b.indexOf(Buffer.from([0xe2, 0x79, 0x2a, 0xca]));

/** Broken images, each made from a good one, and the message qemu-img refuses it with. */
const REFUSALS: Array<[string, ProbeFormat, () => void]> = [
  ['version.qcow2', 'qcow2', () => patch('v3.qcow2', 'version.qcow2', (b) => b.writeUInt32BE(4, 4))],
  ['cluster.qcow2', 'qcow2', () => patch('v3.qcow2', 'cluster.qcow2', (b) => b.writeUInt32BE(22, 20))],
  ['long-backing.qcow2', 'qcow2', () => patch('rel-F.qcow2', 'long-backing.qcow2', (b) => b.writeUInt32BE(1024, 16))],
  ['feature.qcow2', 'qcow2', () => patch('v3.qcow2', 'feature.qcow2', (b) => b.writeUInt32BE(0x100, 72))],
  ['fmt-len.qcow2', 'qcow2', () => patch('rel-F.qcow2', 'fmt-len.qcow2', (b) => b.writeUInt32BE(16, extAt(b) + 4))],
  [
    'ext-len.qcow2',
    'qcow2',
    () => patch('rel-F.qcow2', 'ext-len.qcow2', (b) => b.writeUInt32BE(0x10000, extAt(b) + 4)),
  ],
  ['refcount.qcow2', 'qcow2', () => patch('v3.qcow2', 'refcount.qcow2', (b) => b.writeUInt32BE(0, 56))],
  ['cluster.qcow', 'qcow', () => patch('v1.qcow', 'cluster.qcow', (b) => b.writeUInt8(20, 32))],
  ['cluster.qed', 'qed', () => patch('b.qed', 'cluster.qed', (b) => b.writeUInt32LE(1000, 4))],
  ['version.vmdk', 'vmdk', () => patch('ms.vmdk', 'version.vmdk', (b) => b.writeUInt32LE(4, 4))],
  ['gtes.vmdk', 'vmdk', () => patch('ms.vmdk', 'gtes.vmdk', (b) => b.writeUInt32LE(1024, 44))],
  [
    'sparse-type.vmdk',
    'vmdk',
    () => patch('mf.vmdk', 'sparse-type.vmdk', (b) => b.write('monolithicSparse"\n#', b.indexOf('monolithicFlat'))),
  ],
  ['no-offset.vmdk', 'vmdk', () => patch('mf.vmdk', 'no-offset.vmdk', (b) => b.write(' \n', b.indexOf('" 0') + 1))],
  ['no-type.vmdk', 'vmdk', () => patch('mf.vmdk', 'no-type.vmdk', (b) => b.write('k', b.indexOf('createType')))],
  ['version.vdi', 'vdi', () => patch('d.vdi', 'version.vdi', (b) => b.writeUInt32LE(0x00010002, 68))],
  ['parent.vdi', 'vdi', () => patch('d.vdi', 'parent.vdi', (b) => b.writeUInt8(1, 440))],
  ['checksum.vpc', 'vpc', () => patch('dyn.vpc', 'checksum.vpc', (b) => b.writeUInt8(0x41, 28))],
  ['version.luks', 'luks', () => patch('d.luks', 'version.luks', (b) => b.writeUInt16BE(2, 6))],
  ['tracks.hdd', 'parallels', () => patch('d.hdd', 'tracks.hdd', (b) => b.writeUInt32LE(0, 28))],
  ['plain.dmg', 'dmg', () => writeFileSync(join(dir, 'plain.dmg'), Buffer.alloc(1024))],
  ['zero.cloop', 'cloop', () => writeFileSync(join(dir, 'zero.cloop'), Buffer.alloc(512))],
  ['catalog.bochs', 'bochs', () => patch('v2.bochs', 'catalog.bochs', (b) => b.writeUInt32LE(15, 72))],
  ['extent.bochs', 'bochs', () => patch('v2.bochs', 'extent.bochs', (b) => b.writeUInt32LE(3000, 80))],
];

describe('refusals match qemu-img', () => {
  it.each(REFUSALS)('%s as %s', (file, format, make) => {
    make();
    const expected = refusal(file, format);
    expect(expected).toBeDefined();
    const header = readImageFacts(file, dir, format).header;
    expect(header && refusalText(header, file)).toBe(expected);
  });
});
