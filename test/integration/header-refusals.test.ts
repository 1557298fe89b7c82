/**
 * Headers QEMU refuses, each made by editing the bytes of an image qemu-img created (or a hand-made one for the
 * formats qemu-img cannot create) in a temp dir, and blockgate's prediction held against the real runs: Debian 12's
 * stock qemu-system-x86_64 with -drive and -blockdev, qemu-img info -U and qemu-img convert, exact stderr included.
 * A missing binary fails the suite: it never skips.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '../../src/model/profile.js';
import type { ProbeFormat } from '../../src/model/image.js';
import { loadProfile } from '../../src/host/profiles.js';
import { factsReader } from '../../src/host/facts.js';
import { planCommand } from '../../src/plan/plan.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { crc32c } from '../../src/image/formats/crc32c.js';
import { oracle, type Oracle } from '../support/oracles.js';
import { compare, expectAgreement } from '../support/compare.js';
import { createImage } from '../support/qemu-img.js';

let dir = '';
let o: Oracle;
let profile: Profile;

const bytes = (file: string): Buffer => readFileSync(join(dir, file));
const write = (file: string, b: Buffer): void => writeFileSync(join(dir, file), b);

/** A copy of `from` with `edit` applied to its bytes. */
function patch(from: string, edit: (b: Buffer) => void): (to: string) => void {
  return (to) => {
    const b = bytes(from);
    edit(b);
    write(to, b);
  };
}

/** Every occurrence of `from` replaced by `to` (same length). */
const replaceAll = (b: Buffer, from: string, to: string): void => {
  for (let at = b.indexOf(from); at >= 0; at = b.indexOf(from, at + 1)) b.write(to, at, 'latin1');
};

/** A 1 MiB bochs "growing" redolog with 64 KiB extents, none allocated (qemu-img cannot create bochs). */
function bochs(): Buffer {
  const b = Buffer.alloc(512 + 16 * 4, 0xff);
  b.fill(0, 0, 512);
  b.write('Bochs Virtual HD Image', 0, 'latin1');
  b.write('Redolog', 32, 'latin1');
  b.write('Growing', 48, 'latin1');
  b.writeUInt32LE(0x20000, 64);
  b.writeUInt32LE(512, 68);
  b.writeUInt32LE(16, 72);
  b.writeUInt32LE(512, 76);
  b.writeUInt32LE(65536, 80);
  b.writeBigUInt64LE(1n << 20n, 88);
  return b;
}

const CLOOP_MAGIC = '#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0 && mount -r -t iso9660 /dev/cloop $1\n';

/** The VHDX headers at 64 and 128 KiB both fail their CRC-32C; the checksum helper proves the original was good. */
function breakVhdxHeaders(b: Buffer): void {
  for (const at of [64 * 1024, 128 * 1024]) {
    expect(crc32c(b.subarray(at, at + 4096), 4)).toBe(b.readUInt32LE(at + 4));
    b.writeUInt8(b.readUInt8(at + 8) ^ 1, at + 8);
  }
}

interface Case {
  file: string;
  format: ProbeFormat;
  make: (file: string) => void;
  /** QEMU's message after the option location (-drive/-blockdev) or "Could not open 'FILE': " (qemu-img). */
  message: string;
  /** Drivers that call bdrv_apply_auto_read_only before the header: -blockdev needs read-only=on. */
  readOnly?: boolean;
  /** LUKS asks for its key before it reads the header (qemu-img info, opening without I/O, does not). */
  secret?: boolean;
}

const SECRET = ['-object', 'secret,id=s0,data=x'];

const CASES: Case[] = [
  {
    file: 'truncated.qcow2',
    format: 'qcow2',
    make: (f) => write(f, bytes('t.qcow2').subarray(0, 50)),
    message: 'qcow2 header too short',
  },
  {
    file: 'version.qcow2',
    format: 'qcow2',
    make: patch('t.qcow2', (b) => b.writeUInt32BE(4, 4)),
    message: 'Unsupported qcow2 version 4',
  },
  {
    file: 'cluster.qcow2',
    format: 'qcow2',
    make: patch('t.qcow2', (b) => b.writeUInt32BE(22, 20)),
    message: 'Unsupported cluster size: 2^22',
  },
  {
    file: 'hdrlen.qcow2',
    format: 'qcow2',
    make: patch('t.qcow2', (b) => b.writeUInt32BE(0x20000, 100)),
    message: 'qcow2 header exceeds cluster size',
  },
  {
    file: 'l1.qcow2',
    format: 'qcow2',
    make: patch('t.qcow2', (b) => b.writeUInt32BE(0x1000000, 36)),
    message: 'Active L1 table too large',
  },
  {
    file: 'l1-small.qcow2',
    format: 'qcow2',
    make: patch('t.qcow2', (b) => b.writeUInt32BE(0, 36)),
    message: 'L1 table is too small',
  },
  {
    file: 'l1-offset.qcow2',
    format: 'qcow2',
    make: patch('t.qcow2', (b) => b.writeBigUInt64BE(0x30200n, 40)),
    message: 'Active L1 table offset invalid',
  },
  {
    file: 'refcount.qcow2',
    format: 'qcow2',
    make: patch('t.qcow2', (b) => b.writeUInt32BE(0, 56)),
    message: 'Image does not contain a reference count table',
  },
  {
    file: 'feature.qcow2',
    format: 'qcow2',
    make: patch('t.qcow2', (b) => b.writeUInt32BE(0x100, 76)),
    message: 'Unsupported qcow2 feature(s): Unknown incompatible feature: 100',
  },
  {
    file: 'cluster.qcow',
    format: 'qcow',
    make: patch('t.qcow', (b) => b.writeUInt8(20, 32)),
    message: 'Cluster size must be between 512 and 64k',
  },
  {
    file: 'cluster.qed',
    format: 'qed',
    make: patch('t.qed', (b) => b.writeUInt32LE(1000, 4)),
    message: 'QED cluster size is invalid',
  },
  {
    file: 'backing.qed',
    format: 'qed',
    make: patch('b.qed', (b) => b.writeUInt32LE(0x100000, 56)),
    message: 'QED backing filename offset is invalid',
  },
  {
    file: 'version.vmdk',
    format: 'vmdk',
    make: patch('ms.vmdk', (b) => b.writeUInt32LE(4, 4)),
    message: 'Unsupported VMDK version 4',
  },
  {
    file: 'gtes.vmdk',
    format: 'vmdk',
    make: patch('ms.vmdk', (b) => b.writeUInt32LE(1024, 44)),
    message: 'L2 table size too big',
  },
  {
    file: 'footer.vmdk',
    format: 'vmdk',
    make: patch('ms.vmdk', (b) => b.writeBigUInt64LE(0xffffffffffffffffn, 56)),
    message: 'Invalid footer',
  },
  // vmdk_read_cid fails with a bare -EINVAL: block.c names the file.
  {
    file: 'no-cid.vmdk',
    format: 'vmdk',
    make: patch('ms.vmdk', (b) => replaceAll(b, 'CID', 'XID')),
    message: "Could not open 'no-cid.vmdk': Invalid argument",
  },
  {
    file: 'checksum.vpc',
    format: 'vpc',
    make: patch('t.vpc', (b) => b.writeUInt8(0x41, 28)),
    message: 'Incorrect header checksum',
  },
  {
    file: 'block.vpc',
    format: 'vpc',
    make: patch('t.vpc', (b) => b.writeUInt32BE(1000, 512 + 32)),
    message: 'Invalid block size 1000',
  },
  {
    file: 'signature.vhdx',
    format: 'vhdx',
    make: patch('t.vhdx', (b) => b.write('x', 0)),
    message: "Could not open 'signature.vhdx': Invalid argument",
  },
  {
    file: 'headers.vhdx',
    format: 'vhdx',
    make: patch('t.vhdx', breakVhdxHeaders),
    message: 'No valid VHDX header found',
  },
  {
    file: 'version.vdi',
    format: 'vdi',
    make: patch('t.vdi', (b) => b.writeUInt32LE(0x00010002, 68)),
    message: 'unsupported VDI image (version 1.2)',
  },
  {
    file: 'sector.vdi',
    format: 'vdi',
    make: patch('t.vdi', (b) => b.writeUInt32LE(1024, 360)),
    message: 'unsupported VDI image (sector size 1024 is not 512)',
  },
  {
    file: 'version.luks',
    format: 'luks',
    secret: true,
    make: patch('t.luks', (b) => b.writeUInt16BE(2, 6)),
    message: 'LUKS version 2 is not supported',
  },
  {
    file: 'payload.luks',
    format: 'luks',
    secret: true,
    make: patch('t.luks', (b) => b.writeUInt32BE(4, 104)),
    message: 'LUKS payload is overlapping with the header',
  },
  {
    file: 'tracks.hdd',
    format: 'parallels',
    make: patch('t.hdd', (b) => b.writeUInt32LE(0, 28)),
    message: 'Invalid image: Zero sectors per track',
  },
  {
    file: 'catalog.bochs',
    format: 'bochs',
    readOnly: true,
    make: patch('t.bochs', (b) => b.writeUInt32LE(15, 72)),
    message: 'Catalog size is too small for this disk size',
  },
  {
    file: 'zero.cloop',
    format: 'cloop',
    readOnly: true,
    make: (f) => write(f, Buffer.from(CLOOP_MAGIC.padEnd(512, '\0'))),
    message: 'block_size cannot be zero',
  },
];

beforeAll(async () => {
  o = oracle('debian');
  profile = await loadProfile('debian-12');
  dir = mkdtempSync(join(tmpdir(), 'blockgate-refusals-'));
  const create = (...args: string[]) => createImage(dir, ...args);
  for (const fmt of ['qcow2', 'qcow', 'qed', 'vpc', 'vhdx', 'vdi', 'parallels'])
    create('-f', fmt, `t.${fmt === 'parallels' ? 'hdd' : fmt}`, '1M');
  create('-f', 'qed', '-b', 't.qcow2', '-F', 'qcow2', 'b.qed');
  create('-f', 'vmdk', 'ms.vmdk', '1M');
  create('-f', 'luks', '--object', 'secret,id=s0,data=x', '-o', 'key-secret=s0', 't.luks', '1M');
  write('t.bochs', bochs());
  for (const c of CASES) c.make(c.file);
  // A good overlay over a refused base: the hypervisor follows the chain, qemu-img info does not.
  create('-f', 'qcow2', '-u', '-b', 'version.qcow2', '-F', 'qcow2', 'over-version.qcow2', '1M');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The prediction and the real tool on one command line: exact stderr and whether it failed. */
function expectToolAgreement(command: string[]): string[] {
  const predicted = evaluate(planCommand(['qemu-img', ...command], profile, factsReader(dir)), profile);
  const real = spawnSync(o.qemuImg, command, { cwd: dir, env: o.env, encoding: 'utf8', timeout: 30_000 });
  if (real.error) throw real.error;
  const lines = real.stderr.split('\n').filter((l) => l !== '');
  expect(predicted.messages).toEqual(lines);
  expect(predicted.verdict === 'fails', `exit ${real.status}`).toBe(real.status !== 0);
  return lines;
}

describe('header refusals: prediction vs Debian 12 qemu-system-x86_64 7.2', () => {
  it.each(CASES)('-drive $file ($format)', async ({ file, format, message, secret }) => {
    const drive = ['-drive', `file=${file},format=${format},if=none,id=d0${secret ? ',key-secret=s0' : ''}`];
    const c = await compare(o, profile, dir, [...(secret ? SECRET : []), ...drive]);
    expect(c.real.stderr).toBe(`qemu-system-x86_64: ${drive.join(' ')}: ${message}\n`);
    expectAgreement(c);
    expect(c.predicted.findings.find((f) => f.code === 'header-field-out-of-range')).toMatchObject({
      severity: 'error',
      layer: 'image',
      args: { format, text: message },
    });
    expect(c.predicted.drives[0]?.nodes.find((n) => n.driver === format)?.decidedBy).toBe('image');
  });

  it.each(CASES)('-blockdev $file ($format)', async ({ file, format, message, readOnly, secret }) => {
    const blockdev = [
      '-blockdev',
      `driver=${format},node-name=d0,file.driver=file,file.filename=${file}${readOnly ? ',read-only=on' : ''}${secret ? ',key-secret=s0' : ''}`,
    ];
    const c = await compare(o, profile, dir, [...(secret ? SECRET : []), ...blockdev]);
    expect(c.real.stderr).toBe(`qemu-system-x86_64: ${blockdev.join(' ')}: ${message}\n`);
    expectAgreement(c);
  });

  it('a probed qcow2 with a bad version: probing still picks qcow2, whose open refuses it', async () => {
    const c = await compare(o, profile, dir, ['-drive', 'file=version.qcow2,if=none']);
    expect(c.real.stderr).toContain('Unsupported qcow2 version 4');
    expectAgreement(c);
  });

  it('a refused backing file fails the overlay above it, with the backing prefix', async () => {
    const c = await compare(o, profile, dir, ['-drive', 'file=over-version.qcow2,format=qcow2,if=none']);
    expect(c.real.stderr).toContain('Could not open backing file: Unsupported qcow2 version 4');
    expectAgreement(c);
  });

  it('benign images of every format still open', async () => {
    for (const [file, format] of [
      ['t.qcow2', 'qcow2'],
      ['t.qcow', 'qcow'],
      ['b.qed', 'qed'],
      ['ms.vmdk', 'vmdk'],
      ['t.vpc', 'vpc'],
      ['t.vhdx', 'vhdx'],
      ['t.vdi', 'vdi'],
      ['t.hdd', 'parallels'],
    ]) {
      const c = await compare(o, profile, dir, [
        '-blockdev',
        `driver=${format},node-name=d0,file.driver=file,file.filename=${file}`,
      ]);
      expect(c.real.started, `${file}: ${c.real.stderr}`).toBe(true);
      expectAgreement(c);
    }
  });
});

/** bdrv_open_common checks the whitelist before the driver reads its header (block.c:1924-1982 in 7.2). */
describe('header refusals after the whitelist: prediction vs the RHEL-9-like build', () => {
  let rhel9: Oracle;
  let rhel9Profile: Profile;
  beforeAll(async () => {
    rhel9 = oracle('rhel9');
    rhel9Profile = await loadProfile('test/fixtures/profiles/oracle-rhel9.yaml');
  });
  it.each([
    [
      'a driver not whitelisted is refused before its header',
      ['-drive', 'file=cluster.qed,format=qed,if=none'],
      "Driver 'qed' is not whitelisted",
    ],
    [
      'a read-only-only driver opened read-write is refused before its header',
      ['-blockdev', 'driver=vpc,node-name=d0,file.driver=file,file.filename=checksum.vpc'],
      "Driver 'vpc' can only be used for read-only devices",
    ],
    [
      'auto-read-only lets it fall back, then the header is refused',
      ['-drive', 'file=checksum.vpc,format=vpc,if=none'],
      'Incorrect header checksum',
    ],
    [
      'read-only: the header is refused',
      ['-blockdev', 'driver=vpc,node-name=d0,read-only=on,file.driver=file,file.filename=checksum.vpc'],
      'Incorrect header checksum',
    ],
    [
      'a whitelisted driver: the header is refused',
      ['-blockdev', 'driver=qcow2,node-name=d0,file.driver=file,file.filename=version.qcow2'],
      'Unsupported qcow2 version 4',
    ],
  ] as const)('%s', async (_name, args, message) => {
    const c = await compare(rhel9, rhel9Profile, dir, [...args]);
    expect(c.real.stderr).toBe(`qemu-system-x86_64: ${args.join(' ')}: ${message}\n`);
    expectAgreement(c);
  });
});

describe('header refusals: prediction vs Debian 12 qemu-img 7.2', () => {
  it.each(CASES)('qemu-img info -U -f $format $file', ({ file, format, message }) => {
    expect(expectToolAgreement(['info', '-U', '-f', format, file])).toEqual([
      `qemu-img: Could not open '${file}': ${message}`,
    ]);
  });

  it.each(CASES.filter((c) => !c.secret))('qemu-img convert -f $format $file', ({ file, format, message }) => {
    expect(expectToolAgreement(['convert', '-f', format, file, '-O', 'raw', `${file}.raw`])).toEqual([
      `qemu-img: Could not open '${file}': ${message}`,
    ]);
  });

  it.each(CASES.filter((c) => c.secret))(
    'qemu-img convert --image-opts driver=$format,key-secret=s0,file.filename=$file',
    ({ file, format, message }) => {
      const opts = `driver=${format},key-secret=s0,file.filename=${file}`;
      expect(
        expectToolAgreement([
          'convert',
          '--object',
          'secret,id=s0,data=x',
          '--image-opts',
          opts,
          '-O',
          'raw',
          `${file}.raw`,
        ]),
      ).toEqual([`qemu-img: Could not open '${opts}': ${message}`]);
    },
  );

  it('qemu-img info opens the overlay without its refused backing file', () => {
    expect(expectToolAgreement(['info', '-U', 'over-version.qcow2'])).toEqual([]);
  });
});
