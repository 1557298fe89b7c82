/**
 * Mutated headers (seeded, so a failure reproduces): probing and header reading never throw,
 * never read past their budget and stay fast, whatever sizes and offsets the bytes claim.
 */
import { describe, expect, it } from 'vitest';
import type { ProbeFormat } from '../../src/model/image.js';
import { bufferSource, type ByteSource } from '../../src/image/byte-source.js';
import { READ_BUDGET, readHeader } from '../../src/image/header.js';
import { PROBE_ORDER, probeFormats } from '../../src/image/probe.js';
import { crc32c } from '../../src/image/formats/crc32c.js';

/** mulberry32: small, seedable, good enough to pick bytes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Image {
  readonly b: Uint8Array;
  readonly v: DataView;
  constructor(size: number) {
    this.b = new Uint8Array(size);
    this.v = new DataView(this.b.buffer);
  }
  str(at: number, s: string): this {
    this.b.set(
      Array.from(s, (c) => c.charCodeAt(0)),
      at,
    );
    return this;
  }
  be32(at: number, n: number): this {
    this.v.setUint32(at, n);
    return this;
  }
  le32(at: number, n: number): this {
    this.v.setUint32(at, n, true);
    return this;
  }
  be64(at: number, n: number): this {
    this.v.setBigUint64(at, BigInt(n));
    return this;
  }
  le64(at: number, n: number): this {
    this.v.setBigUint64(at, BigInt(n), true);
    return this;
  }
}

const DESCRIPTOR =
  '# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\nparentFileNameHint="base.vmdk"\n' +
  ('createType="twoGbMaxExtentFlat"\n\n# Extent description\nRW 2048 FLAT "a-f001.vmdk" ' +
    '0\nRDONLY 2048 SPARSE "b.vmdk"\n');

/** The first VHDX header at 64 KiB: "head", version 1 and its CRC-32C, which QEMU checks before the region table. */
function withVhdxHeader(img: Image): Image {
  const at = 64 * 1024;
  img.str(at, 'head').v.setUint16(at + 66, 1, true);
  return img.le32(at + 4, crc32c(img.b.subarray(at, at + 4096), 4));
}

/** One plausible image per format, small enough to mutate thousands of times. */
const SEEDS: Record<ProbeFormat, () => Image> = {
  qcow2: () =>
    new Image(4096)
      .str(0, 'QFI\xfb')
      .be32(4, 3)
      .be64(8, 0x400)
      .be32(16, 8)
      .be32(20, 16)
      .be64(24, 1 << 20)
      .be32(36, 1)
      .be32(56, 1)
      .be32(96, 4)
      .be32(100, 112)
      .be32(112, 0xe2792aca)
      .be32(116, 3)
      .str(120, 'raw')
      .be32(128, 0x44415441)
      .be32(132, 6)
      .str(136, 'x.data')
      .be32(144, 0x6803f857)
      .be32(148, 48)
      .str(154, 'dirty bit')
      .be32(200, 0)
      .str(0x400, 'base.raw'),
  qcow: () =>
    new Image(1024)
      .str(0, 'QFI\xfb')
      .be32(4, 1)
      .be64(8, 48)
      .be32(16, 8)
      .be64(24, 1 << 20)
      .str(32, '\x0c\x09')
      .str(48, 'base.raw'),
  qed: () =>
    new Image(20480)
      .str(0, 'QED\0')
      .le32(4, 4096)
      .le32(8, 4)
      .le32(12, 1)
      .le64(16, 5)
      .le64(40, 4096)
      .le64(48, 1 << 20)
      .le32(56, 64)
      .le32(60, 8)
      .str(64, 'base.raw'),
  vmdk: () =>
    new Image(2048)
      .str(0, 'KDMV')
      .le32(4, 1)
      .le32(8, 3)
      .le64(12, 2048)
      .le64(20, 128)
      .le64(28, 1)
      .le64(36, 2)
      .le32(44, 512)
      .le64(48, 3)
      .le64(56, 4)
      .le64(64, 3)
      .str(512, DESCRIPTOR),
  vpc: () => {
    const img = new Image(2048)
      .str(0, 'conectix')
      .be32(8, 2)
      .be32(12, 0x10000)
      .be64(16, 512)
      .str(28, 'qemu')
      .be64(40, 1 << 20)
      .be64(48, 1 << 20)
      .str(56, '\x00\x04\x10\x3f')
      .be32(60, 3)
      .str(512, 'cxsparse')
      .be64(520, -1 >>> 0)
      .be64(528, 1536)
      .be32(540, 1)
      .be32(544, 2 << 20);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += img.b[i] ?? 0;
    return img.be32(64, ~sum >>> 0);
  },
  vhdx: () =>
    withVhdxHeader(new Image(256 * 1024 + 4096))
      .str(0, 'vhdxfile')
      .str(192 * 1024, 'regi')
      .le32(192 * 1024 + 8, 1)
      .le32(192 * 1024 + 16, 0x8b7ca206)
      .str(192 * 1024 + 20, '\x90\x47\x9a\x4b\xb8\xfe\x57\x5f\x05\x0f\x88\x6e')
      .le64(192 * 1024 + 32, 256 * 1024)
      .le32(192 * 1024 + 40, 4096)
      .str(256 * 1024, 'metadata')
      .le32(256 * 1024 + 8, 2 << 16)
      .le32(256 * 1024 + 32, 0xcaa16737)
      .str(256 * 1024 + 36, '\x36\xfa\x43\x4d\xb3\xb6\x33\xf0\xaa\x44\xe7\x6b')
      .le32(256 * 1024 + 48, 1024)
      .le32(256 * 1024 + 64, 0x2fa54224)
      .str(256 * 1024 + 68, '\x1b\xcd\x76\x48\xb2\x11\x5d\xbe\xd8\x3b\xf4\xb8')
      .le32(256 * 1024 + 80, 1032)
      .le32(256 * 1024 + 1024, 1 << 20)
      .le64(256 * 1024 + 1032, 1 << 20),
  vdi: () =>
    new Image(1024)
      .str(0, '<<< QEMU VM Virtual Disk Image >>>\n')
      .le32(64, 0xbeda107f)
      .le32(68, 0x10001)
      .le32(340, 512)
      .le32(344, 1024)
      .le32(360, 512)
      .le64(368, 1 << 20)
      .le32(376, 1 << 20)
      .le32(384, 1),
  luks: () =>
    new Image(8192)
      .str(0, 'LUKS\xba\xbe\x00\x01')
      .str(8, 'aes')
      .str(40, 'xts-plain64')
      .str(72, 'sha256')
      .be32(104, 8)
      .be32(108, 32)
      .be32(164, 1000),
  parallels: () =>
    new Image(1024)
      .str(0, 'WithoutFreeSpace')
      .le32(16, 2)
      .le32(20, 16)
      .le32(24, 4)
      .le32(28, 32)
      .le32(32, 1)
      .le64(36, 2048),
  bochs: () =>
    new Image(1024)
      .str(0, 'Bochs Virtual HD Image')
      .str(32, 'Redolog')
      .str(48, 'Growing')
      .le32(64, 0x20000)
      .le32(68, 512)
      .le32(72, 256)
      .le32(76, 512)
      .le32(80, 4096)
      .le64(88, 1 << 20),
  cloop: () =>
    new Image(1024)
      .str(0, '#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0 && mount -r -t iso9660 /dev/cloop $1\n')
      .be32(128, 65536)
      .be32(132, 16),
  dmg: () => new Image(2048).str(1536, 'koly').be64(1536 + 0x1ec, 2048),
  raw: () => new Image(1000),
};

/** A source that claims an absurd size and answers every read with what it has, then zeros. */
function lyingSource(b: Uint8Array, size: number): ByteSource {
  return {
    size,
    read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset, 1 << 22));
      const out = new Uint8Array(Number.isSafeInteger(n) ? n : 0);
      if (offset < b.length) out.set(b.subarray(offset, offset + out.length));
      return out;
    },
  };
}

type Mutation = (b: Uint8Array, r: () => number) => Uint8Array;
const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)] as T;
const offsetIn = (b: Uint8Array, r: () => number): number =>
  Math.floor((r() < 0.7 ? Math.min(b.length, 256) : b.length) * r());

const MUTATIONS: Mutation[] = [
  (b, r) => {
    for (let i = 1 + Math.floor(r() * 16); i > 0; i--) b[offsetIn(b, r)] = Math.floor(r() * 256);
    return b;
  },
  (b, r) => b.subarray(0, Math.floor(r() * b.length)),
  (b, r) => {
    const at = offsetIn(b, r) & ~3;
    const big = pick([0xffffffff, 0x7fffffff, 0x80000000, 0x00010000, 0xfffffffe, 0, 1], r);
    new DataView(b.buffer, b.byteOffset).setUint32(Math.min(at, b.length - 4), big, r() < 0.5);
    return b;
  },
  (b, r) => {
    const at = offsetIn(b, r) & ~7;
    new DataView(b.buffer, b.byteOffset).setBigUint64(
      Math.min(at, b.length - 8),
      pick([-1n, 1n << 62n, 1n << 40n], r) & ((1n << 64n) - 1n),
    );
    return b;
  },
];

function check(head: Uint8Array, src: ByteSource, name: string): number {
  let slowest = 0;
  const t0 = performance.now();
  const probes = probeFormats(head, name);
  slowest = Math.max(slowest, performance.now() - t0);
  expect(probes.at(-1)).toEqual({ format: 'raw', score: 1 });
  for (const format of PROBE_ORDER) {
    let read = 0;
    const counting: ByteSource = {
      size: src.size,
      read(offset, length) {
        const got = src.read(offset, length);
        read += got.length;
        return got;
      },
    };
    const t = performance.now();
    const header = readHeader(format, counting);
    slowest = Math.max(slowest, performance.now() - t);
    expect(header.format).toBe(format);
    expect(Array.isArray(header.notes)).toBe(true);
    expect(read).toBeLessThanOrEqual(READ_BUDGET);
    if (header.virtualSize !== undefined) expect(Number.isSafeInteger(header.virtualSize)).toBe(true);
  }
  return slowest;
}

describe('image fuzz', () => {
  it('mutated headers never throw and stay quick', () => {
    const r = prng(0x5eed);
    const names = ['disk.img', 'disk.dmg', ''];
    let slowest = 0;
    for (let i = 0; i < 3000; i++) {
      const seed = pick(PROBE_ORDER, r);
      let buf: Uint8Array = SEEDS[seed]().b;
      for (let m = 1 + Math.floor(r() * 3); m > 0 && buf.length >= 8; m--) buf = pick(MUTATIONS, r)(buf, r);
      const src = i % 10 === 9 ? lyingSource(buf, pick([2 ** 40, 2 ** 53 - 1, buf.length + 1], r)) : bufferSource(buf);
      slowest = Math.max(slowest, check(buf.subarray(0, 512), src, pick(names, r)));
    }
    expect(slowest).toBeLessThan(250);
  });

  it('the unmutated seeds read cleanly', () => {
    for (const format of PROBE_ORDER) {
      const buf = SEEDS[format]().b;
      expect(probeFormats(buf.subarray(0, 512), 'x.img')[0]?.format).toBe(format === 'dmg' ? 'raw' : format);
      const header = readHeader(format, bufferSource(buf));
      expect([header.refusal, header.notes]).toEqual([undefined, []]);
    }
  });
});
