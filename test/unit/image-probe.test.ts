import { describe, expect, it } from 'vitest';
import type { ProbeFormat } from '../../src/model/image.js';
import { PROBE_BUF_SIZE, PROBE_ORDER, probeFormats } from '../../src/image/probe.js';

/** Bytes from latin1 pieces and little helpers, written at their offsets into a zeroed buffer. */
function bytes(size: number, ...parts: Array<[number, string | number[]]>): Uint8Array {
  const b = new Uint8Array(size);
  for (const [at, v] of parts) b.set(typeof v === 'string' ? Array.from(v, (c) => c.charCodeAt(0)) : v, at);
  return b;
}
const be32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const le32 = (n: number): number[] => be32(n).reverse();
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

const winner = (head: Uint8Array, name = 'disk.img'): ProbeFormat | undefined => probeFormats(head, name)[0]?.format;
const formats = (head: Uint8Array, name = 'disk.img'): string[] =>
  probeFormats(head, name).map((s) => `${s.format}:${s.score}`);

const QFI = '\x51\x46\x49\xfb';
const CLOOP = '#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0 && mount -r -t iso9660 /dev/cloop $1\n';
const BOCHS: Array<[number, string]> = [
  [0, 'Bochs Virtual HD Image'],
  [32, 'Redolog'],
  [48, 'Growing'],
];

describe('probeFormats: one format each', () => {
  it.each<[string, Uint8Array, ProbeFormat]>([
    ['qcow2 v2', bytes(112, [0, QFI], [4, be32(2)]), 'qcow2'],
    ['qcow2 v3', bytes(112, [0, QFI], [4, be32(3)]), 'qcow2'],
    ['qcow2 claims a future version', bytes(112, [0, QFI], [4, be32(99)]), 'qcow2'],
    ['qcow v1', bytes(48, [0, QFI], [4, be32(1)]), 'qcow'],
    ['qed', bytes(64, [0, 'QED\0']), 'qed'],
    ['vmdk sparse KDMV', bytes(512, [0, 'KDMV'], [4, le32(1)]), 'vmdk'],
    ['vmdk vmfs sparse COWD', bytes(512, [0, 'COWD']), 'vmdk'],
    ['vmdk descriptor', text('# Disk DescriptorFile\nversion=1\nCID=1\n'), 'vmdk'],
    ['vmdk descriptor, CRLF', text('# Disk DescriptorFile\r\nversion=3\r\n'), 'vmdk'],
    ['vmdk descriptor, line of spaces', text('# c\n   \r\nversion=2\n'), 'vmdk'],
    ['vmdk descriptor, version first', text('version=1\n'), 'vmdk'],
    ['vpc', bytes(512, [0, 'conectix']), 'vpc'],
    ['vhdx', bytes(8, [0, 'vhdxfile']), 'vhdx'],
    ['vdi', bytes(512, [0, '<<< QEMU VM Virtual Disk Image >>>\n'], [0x40, le32(0xbeda107f)]), 'vdi'],
    ['luks1', bytes(592, [0, 'LUKS\xba\xbe'], [6, [0, 1]]), 'luks'],
    ['parallels', bytes(64, [0, 'WithoutFreeSpace'], [16, le32(2)]), 'parallels'],
    ['parallels ext', bytes(64, [0, 'WithouFreSpacExt'], [16, le32(2)]), 'parallels'],
    ['bochs v2', bytes(512, ...BOCHS, [64, le32(0x20000)]), 'bochs'],
    ['bochs v1', bytes(512, ...BOCHS, [64, le32(0x10000)]), 'bochs'],
  ])('%s', (_name, head, format) => {
    expect(formats(head)).toEqual([`${format}:100`, 'raw:1']);
  });

  it('cloop scores 2', () => {
    expect(formats(text(CLOOP))).toEqual(['cloop:2', 'raw:1']);
  });

  it('dmg goes by the name alone, case-sensitively, and needs more than ".dmg"', () => {
    expect(formats(text('anything'), 'disk.dmg')).toEqual(['dmg:2', 'raw:1']);
    expect(formats(text('anything'), '/images/.dmg')).toEqual(['dmg:2', 'raw:1']);
    expect(formats(text('anything'), '.dmg')).toEqual(['raw:1']);
    expect(formats(text('anything'), 'disk.DMG')).toEqual(['raw:1']);
  });
});

describe('probeFormats: near misses fall back to raw', () => {
  it.each<[string, Uint8Array]>([
    ['qcow2 magic, version 0', bytes(112, [0, QFI])],
    ['vmdk descriptor with an empty line before version=', text('# Disk DescriptorFile\n\nversion=1\n')],
    ['vmdk descriptor version=4', text('# Disk DescriptorFile\nversion=4\n')],
    ['vmdk descriptor version=1 without a newline', text('version=1')],
    ['vmdk descriptor with a key before version=', text('CID=1\nversion=1\n')],
    ['luks2', bytes(592, [0, 'LUKS\xba\xbe'], [6, [0, 2]])],
    ['parallels version 3', bytes(64, [0, 'WithoutFreeSpace'], [16, le32(3)])],
    [
      'bochs magic not NUL-terminated',
      bytes(512, [0, 'Bochs Virtual HD ImageX'], [32, 'Redolog'], [48, 'Growing'], [64, le32(0x20000)]),
    ],
    [
      'bochs of another subtype',
      bytes(512, [0, 'Bochs Virtual HD Image'], [32, 'Redolog'], [48, 'Undoable'], [64, le32(0x20000)]),
    ],
    ['cloop magic cut short', text(CLOOP.slice(0, 40))],
    ['vpc footer only at the end (fixed VHD)', bytes(1024, [512, 'conectix'])],
    ['plain text', text('hello, world\n')],
    ['three bytes of a magic', text('KDM')],
  ])('%s', (_name, head) => {
    expect(formats(head)).toEqual(['raw:1']);
  });
});

describe('probeFormats: the buffer QEMU probes', () => {
  it('an empty image is raw without probing, even when named .dmg', () => {
    expect(formats(new Uint8Array(0), 'empty.dmg')).toEqual(['raw:1']);
  });

  it('a short file is zero-filled to the probe size, so 8 bytes can probe as qcow2', () => {
    expect(winner(bytes(8, [0, QFI], [4, be32(2)]))).toBe('qcow2');
  });

  it('probes 512 bytes, not more: version= must end inside them', () => {
    expect(PROBE_BUF_SIZE).toBe(512);
    expect(winner(text(`#${'x'.repeat(500)}\nversion=1\n`))).toBe('vmdk');
    expect(winner(text(`#${'x'.repeat(501)}\nversion=1\n`))).toBe('raw');
  });

  it('ignores everything after the probe window', () => {
    const head = new Uint8Array(4096);
    head.set(text('vhdxfile'), 512);
    expect(formats(head)).toEqual(['raw:1']);
  });
});

describe('probeFormats: several drivers claim the image', () => {
  const qcow2WithVdiSignature = bytes(512, [0, QFI], [4, be32(3)], [0x40, le32(0xbeda107f)]);

  it('lists every score, the one QEMU picks first: vdi beats qcow2 on a tie', () => {
    expect(formats(qcow2WithVdiSignature)).toEqual(['vdi:100', 'qcow2:100', 'raw:1']);
  });

  it('parallels and qed beat vdi', () => {
    expect(winner(bytes(512, [0, 'WithoutFreeSpace'], [16, le32(2)], [0x40, le32(0xbeda107f)]))).toBe('parallels');
    expect(winner(bytes(512, [0, 'QED\0'], [0x40, le32(0xbeda107f)]))).toBe('qed');
  });

  it('vdi beats vmdk, vpc, vhdx, luks and qcow', () => {
    for (const start of ['KDMV', 'conectix', 'vhdxfile', 'LUKS\xba\xbe\x00\x01', `${QFI}\0\0\0\x01`]) {
      expect(winner(bytes(512, [0, start], [0x40, le32(0xbeda107f)]))).toBe('vdi');
    }
  });

  it('a cloop image named .dmg is dmg', () => {
    expect(formats(text(CLOOP), 'x.dmg')).toEqual(['dmg:2', 'cloop:2', 'raw:1']);
  });

  it('a qcow2 image named .dmg is still qcow2, with dmg listed', () => {
    expect(formats(bytes(512, [0, QFI], [4, be32(3)]), 'x.dmg')).toEqual(['qcow2:100', 'dmg:2', 'raw:1']);
  });

  it('PROBE_ORDER names each probing driver once', () => {
    expect([...PROBE_ORDER].sort()).toEqual([
      'bochs',
      'cloop',
      'dmg',
      'luks',
      'parallels',
      'qcow',
      'qcow2',
      'qed',
      'raw',
      'vdi',
      'vhdx',
      'vmdk',
      'vpc',
    ]);
  });
});
