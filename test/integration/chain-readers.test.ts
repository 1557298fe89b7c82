/**
 * The two backing-chain readers against each other: `qemu-img info --backing-chain` (the real
 * Debian 7.2 binary, which wins any disagreement) and the native header reader. The corpus is
 * made by qemu-img itself in a temp dir; both readers open names relative to it. A missing
 * qemu-img fails the suite: it never skips.
 *
 * Fields qemu-img derives rather than reads from a header, and how they are compared:
 * - `filename` of a backing node: qemu-img names it by the full backing filename with a `file:`
 *   prefix stripped (raw_parse_filename); the native reader names it the same way.
 * - `extents`: qemu-img prints each vmdk extent as opened, i.e. joined to the image's folder, and
 *   a sparse image as its own extent. The JSON reader takes the folder off again (descriptor
 *   names, as the model says); a separate check resolves the native names and compares them
 *   with qemu-img's own strings.
 * - `encrypted`: qemu-img prints it only when true; both readers leave it out otherwise.
 * - On failure qemu-img prints no chain at all, so only `error` is compared there.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChainNatively } from '../../src/host/native-chain.js';
import { readChainWithQemuImg } from '../../src/host/qemu-img-info.js';
import type { ImageChain } from '../../src/model/chain.js';
import { QEMU_IMG, createImage } from '../support/qemu-img.js';

let dir = '';

function create(...args: string[]): void {
  createImage(dir, ...args);
}

function qemuImg(...args: string[]): string {
  return execFileSync(QEMU_IMG, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const EXT_MAGIC = Buffer.from([0xe2, 0x79, 0x2a, 0xca]);

/** Edits a file of the corpus in place. */
function patch(file: string, edit: (b: Buffer) => void): void {
  const b = readFileSync(join(dir, file));
  edit(b);
  writeFileSync(join(dir, file), b);
}

/** qemu-img 7.2 refuses -b without -F, even with -u: make it with -F, then turn the
 * backing-format extension (0xE2792ACA) into an unknown one, which qcow2 skips. */
const dropBackingFormat = (file: string): void => patch(file, (b) => b.writeUInt32BE(0x0badf00d, b.indexOf(EXT_MAGIC)));

/** Overwrites the recorded backing format, which must have the same length. */
function setBackingFormat(file: string, from: string, to: string): void {
  patch(file, (b) => b.write(to, b.indexOf(from, b.indexOf(EXT_MAGIC)), 'latin1'));
}

/** [name given to both readers, how to make it]; made in this order. `@` stands for the temp dir. */
const SINGLES: Array<[string, () => void]> = [
  ['base.raw', () => create('-f', 'raw', 'base.raw', '1M')],
  ['v2.qcow2', () => create('-f', 'qcow2', '-o', 'compat=0.10', 'v2.qcow2', '1M')],
  ['v3.qcow2', () => create('-f', 'qcow2', '-o', 'compat=1.1', 'v3.qcow2', '1M')],
  [
    'enc.qcow2',
    () =>
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
  ],
  ['v1.qcow', () => create('-f', 'qcow', 'v1.qcow', '1M')],
  ['d.qed', () => create('-f', 'qed', 'd.qed', '1M')],
  ['ms.vmdk', () => create('-f', 'vmdk', 'ms.vmdk', '1M')],
  ['mf.vmdk', () => create('-f', 'vmdk', '-o', 'subformat=monolithicFlat', 'mf.vmdk', '1M')],
  ['tgs.vmdk', () => create('-f', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse', 'tgs.vmdk', '3G')],
  ['so.vmdk', () => create('-f', 'vmdk', '-o', 'subformat=streamOptimized', 'so.vmdk', '1M')],
  ['dyn.vpc', () => create('-f', 'vpc', 'dyn.vpc', '10M')],
  // Footer at the end only: probing (vpc_probe looks at the start) says raw, in both readers.
  ['fixed.vpc', () => create('-f', 'vpc', '-o', 'subformat=fixed', 'fixed.vpc', '10M')],
  ['d.vhdx', () => create('-f', 'vhdx', 'd.vhdx', '10M')],
  ['d.vdi', () => create('-f', 'vdi', 'd.vdi', '10M')],
  ['d.luks', () => create('-f', 'luks', '--object', 'secret,id=s0,data=x', '-o', 'key-secret=s0', 'd.luks', '1M')],
  ['d.hdd', () => create('-f', 'parallels', 'd.hdd', '10M')],
  ['df.qcow2', () => create('-f', 'qcow2', '-o', 'data_file=df.data', 'df.qcow2', '1M')],
];

const CHAINS: Array<[string, () => void]> = [
  ['sub/base.raw', () => create('-f', 'raw', 'sub/base.raw', '1M')],
  ['sub/mid.qcow2', () => create('-f', 'qcow2', '-b', 'base.raw', '-F', 'raw', 'sub/mid.qcow2')],
  ['top.qcow2', () => create('-f', 'qcow2', '-b', 'sub/mid.qcow2', '-F', 'qcow2', 'top.qcow2')],
  ['./top.qcow2', () => undefined],
  ['@/top.qcow2', () => undefined],
  ['sub/mf.vmdk', () => create('-f', 'vmdk', '-o', 'subformat=monolithicFlat', 'sub/mf.vmdk', '1M')],
  ['ov-vmdk.qcow2', () => create('-f', 'qcow2', '-b', 'sub/mf.vmdk', '-F', 'vmdk', 'ov-vmdk.qcow2')],
  ['sub/tgs.vmdk', () => create('-f', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse', 'sub/tgs.vmdk', '3G')],
  ['@/ov-tgs.qcow2', () => create('-f', 'qcow2', '-b', 'sub/tgs.vmdk', '-F', 'vmdk', 'ov-tgs.qcow2')],
  ['ov-ms.qcow2', () => create('-f', 'qcow2', '-b', 'ms.vmdk', '-F', 'vmdk', 'ov-ms.qcow2')],
  ['ov.vmdk', () => create('-f', 'vmdk', '-b', 'ms.vmdk', '-F', 'vmdk', 'ov.vmdk')],
  [
    'tgs-ov.vmdk',
    () => create('-f', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse', '-b', 'mf.vmdk', '-F', 'vmdk', 'tgs-ov.vmdk'),
  ],
  // qed records a backing format only for raw: the qcow2 below it is probed.
  ['over.qed', () => create('-f', 'qed', '-b', 'top.qcow2', '-F', 'qcow2', 'over.qed')],
  ['raw.qed', () => create('-f', 'qed', '-b', 'base.raw', '-F', 'raw', 'raw.qed')],
  ['b.qcow', () => create('-f', 'qcow', '-b', 'v2.qcow2', '-F', 'qcow2', 'b.qcow')],
  ['ov-vpc.qcow2', () => create('-f', 'qcow2', '-b', 'dyn.vpc', '-F', 'vpc', 'ov-vpc.qcow2')],
  ['ov-vdi.qcow2', () => create('-f', 'qcow2', '-b', 'd.vdi', '-F', 'vdi', 'ov-vdi.qcow2')],
  ['ov-vhdx.qcow2', () => create('-f', 'qcow2', '-b', 'd.vhdx', '-F', 'vhdx', 'ov-vhdx.qcow2')],
  ['ov-hdd.qcow2', () => create('-f', 'qcow2', '-b', 'd.hdd', '-F', 'parallels', 'ov-hdd.qcow2')],
  ['ov-luks.qcow2', () => create('-f', 'qcow2', '-u', '-b', 'd.luks', '-F', 'luks', 'ov-luks.qcow2', '1M')],
  ['ov-fixed.qcow2', () => create('-f', 'qcow2', '-b', 'fixed.vpc', '-F', 'vpc', 'ov-fixed.qcow2')],
  ['ov-df.qcow2', () => create('-f', 'qcow2', '-b', 'df.qcow2', '-F', 'qcow2', 'ov-df.qcow2')],
  ['abs.qcow2', () => create('-f', 'qcow2', '-b', join(dir, 'v3.qcow2'), '-F', 'qcow2', 'abs.qcow2')],
  ['sub/up.qcow2', () => create('-f', 'qcow2', '-b', '../ov-vmdk.qcow2', '-F', 'qcow2', 'sub/up.qcow2')],
  ['sub/sub2/deep.qcow2', () => create('-f', 'qcow2', '-b', '../up.qcow2', '-F', 'qcow2', 'sub/sub2/deep.qcow2')],
  // "file:" keeps the backing name from being joined to the image's folder: it opens from the cwd.
  ['sub/fp.qcow2', () => create('-f', 'qcow2', '-b', 'file:v3.qcow2', '-F', 'qcow2', 'sub/fp.qcow2')],
  // A backing format "file": the protocol driver alone, its size the file's size.
  ['fmt-file.qcow2', () => create('-f', 'qcow2', '-b', 'sub/mid.qcow2', '-F', 'file', 'fmt-file.qcow2')],
  [
    'noformat.qcow2',
    () => {
      create('-f', 'qcow2', '-b', 'sub/base.raw', '-F', 'raw', 'noformat.qcow2');
      dropBackingFormat('noformat.qcow2');
    },
  ],
  [
    'sub/noformat-up.qcow2',
    () => {
      create('-f', 'qcow2', '-o', 'compat=0.10', '-b', '../ov-vpc.qcow2', '-F', 'qcow2', 'sub/noformat-up.qcow2');
      dropBackingFormat('sub/noformat-up.qcow2');
    },
  ],
  [
    'noformat-vmdk.qcow2',
    () => {
      create('-f', 'qcow2', '-b', join(dir, 'ms.vmdk'), '-F', 'vmdk', 'noformat-vmdk.qcow2');
      dropBackingFormat('noformat-vmdk.qcow2');
    },
  ],
];

/** Chains that stop on an error; qemu-img then prints no chain, so only the error is compared. */
const FAILURES: Array<[string, () => void]> = [
  ['nope.qcow2', () => undefined],
  ['miss.qcow2', () => create('-f', 'qcow2', '-u', '-b', 'nothere.qcow2', '-F', 'qcow2', 'miss.qcow2', '1M')],
  ['sub/miss.qcow2', () => create('-f', 'qcow2', '-u', '-b', 'gone.raw', '-F', 'raw', 'sub/miss.qcow2', '1M')],
  ['ov-miss.qcow2', () => create('-f', 'qcow2', '-u', '-b', 'sub/miss.qcow2', '-F', 'qcow2', 'ov-miss.qcow2', '1M')],
  [
    'file-miss.qcow2',
    () => create('-f', 'qcow2', '-u', '-b', 'file:nothere.raw', '-F', 'raw', 'file-miss.qcow2', '1M'),
  ],
  [
    'loop-b.qcow2',
    () => {
      create('-f', 'qcow2', 'loop-a.qcow2', '1M');
      create('-f', 'qcow2', '-b', 'loop-a.qcow2', '-F', 'qcow2', 'loop-b.qcow2');
      qemuImg('rebase', '-u', '-b', 'loop-b.qcow2', '-F', 'qcow2', 'loop-a.qcow2');
    },
  ],
  ['./loop-b.qcow2', () => undefined],
  ['@/loop-a.qcow2', () => undefined],
  [
    'self.qcow2',
    () => {
      create('-f', 'qcow2', 'self.qcow2', '1M');
      qemuImg('rebase', '-u', '-b', 'self.qcow2', '-F', 'qcow2', 'self.qcow2');
    },
  ],
  [
    'unknown-fmt.qcow2',
    () => {
      create('-f', 'qcow2', '-b', 'v3.qcow2', '-F', 'qcow2', 'unknown-fmt.qcow2');
      setBackingFormat('unknown-fmt.qcow2', 'qcow2', 'zzzzz');
    },
  ],
  [
    'dir.qcow2',
    () => {
      mkdirSync(join(dir, 'adir'));
      create('-f', 'qcow2', '-u', '-b', 'adir', '-F', 'raw', 'dir.qcow2', '1M');
    },
  ],
  [
    'bad-base.qcow2',
    () => {
      create('-f', 'qcow2', 'v4.qcow2', '1M');
      patch('v4.qcow2', (b) => b.writeUInt32BE(4, 4));
      create('-f', 'qcow2', '-u', '-b', 'v4.qcow2', '-F', 'qcow2', 'bad-base.qcow2', '1M');
    },
  ],
  ['proto.qcow2', () => create('-f', 'qcow2', '-u', '-b', 'x:y.qcow2', '-F', 'qcow2', 'proto.qcow2', '1M')],
];

const named = (name: string): string => (name.startsWith('@/') ? join(dir, name.slice(2)) : name);

/** sha256 of every file under the temp dir. */
function snapshot(): Map<string, string> {
  const sums = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    sums.set(file, createHash('sha256').update(readFileSync(file)).digest('hex'));
  }
  return sums;
}

/** Runs the qemu-img reader and checks that it changed no file. */
async function withQemuImg(name: string): Promise<ImageChain> {
  const before = snapshot();
  const chain = await readChainWithQemuImg(named(name), { cwd: dir, qemuImg: QEMU_IMG });
  expect(snapshot()).toEqual(before);
  return chain;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blockgate-chains-'));
  mkdirSync(join(dir, 'sub', 'sub2'), { recursive: true });
  expect(qemuImg('--version')).toMatch(/^qemu-img version 7\.2\./);
  for (const [, make] of [...SINGLES, ...CHAINS, ...FAILURES]) make();
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('native chain reader vs qemu-img info --backing-chain', () => {
  it.each([...SINGLES, ...CHAINS].map(([name]) => name))('%s', async (name) => {
    const real = await withQemuImg(name);
    expect(real.error).toBeUndefined();
    expect(real.chain.length).toBeGreaterThan(0);
    expect(readChainNatively(named(name), dir)).toStrictEqual(real);
  });

  it.each(FAILURES.map(([name]) => name))('%s fails the same way', async (name) => {
    const real = await withQemuImg(name);
    expect(real.chain).toEqual([]);
    expect(real.error).toBeDefined();
    expect(readChainNatively(named(name), dir).error).toBe(real.error);
  });
});

describe('vmdk extents as qemu-img opens them', () => {
  const vmdks = [
    'ms.vmdk',
    'mf.vmdk',
    'tgs.vmdk',
    'so.vmdk',
    'ov-vmdk.qcow2',
    '@/ov-tgs.qcow2',
    'ov.vmdk',
    'tgs-ov.vmdk',
    'sub/up.qcow2',
  ];

  it.each(vmdks)('%s', (name) => {
    type Info = { filename: string; 'format-specific'?: { data?: { extents?: Array<{ filename: string }> } } };
    const printed = JSON.parse(qemuImg('info', '-U', '--backing-chain', '--output=json', named(name))) as Info[];
    const native = readChainNatively(named(name), dir).chain;
    expect(native.map((n) => n.filename)).toEqual(printed.map((i) => i.filename));
    printed.forEach((info, i) => {
      const node = native[i]!;
      const opened = info['format-specific']?.data?.extents?.map((e) => e.filename);
      if (node.format !== 'vmdk') {
        expect(opened).toBeUndefined();
        return;
      }
      // vmdk_parse_extents: an absolute name as is, else joined to the image's folder; a sparse
      // image (no descriptor extents) is its own extent.
      const folder = node.filename.slice(0, node.filename.lastIndexOf('/') + 1);
      const resolved = node.extents?.map((e) => (e.startsWith('/') ? e : folder + e)) ?? [node.filename];
      expect(resolved).toEqual(opened);
    });
  });
});

describe('readChainWithQemuImg', () => {
  it('reports a qemu-img that cannot run', async () => {
    const chain = await readChainWithQemuImg('top.qcow2', { cwd: dir, qemuImg: join(dir, 'no-such-qemu-img') });
    expect(chain.chain).toEqual([]);
    expect(chain.error).toMatch(/no-such-qemu-img/);
  });

  it('takes a name starting with "-" as a file', async () => {
    writeFileSync(join(dir, '-dash.raw'), Buffer.alloc(512));
    const real = await withQemuImg('-dash.raw');
    expect(real).toStrictEqual({
      path: '-dash.raw',
      chain: [{ filename: '-dash.raw', format: 'raw', virtualSize: 512 }],
    });
    expect(readChainNatively('-dash.raw', dir)).toStrictEqual(real);
  });
});
