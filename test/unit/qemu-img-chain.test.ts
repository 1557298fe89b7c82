/**
 * The qemu-img JSON reader on real output. Fixtures in test/fixtures/qemu-img-info were printed by
 * `qemu-img info -U --backing-chain --output=json NAME` run in the images' folder: *-7.2.json by
 * Debian's /usr/bin/qemu-img 7.2.22, *-10.2.json by an upstream 10.2.2 build (BlockGraphInfo, with
 * `children`). In qcow2-absolute-7.2.json the temp folder was replaced by /images.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readChain } from '../../src/image/chain.js';
import { chainFromQemuImgJson, descriptorExtents, qemuImgErrorLine } from '../../src/image/qemu-img-chain.js';
import type { ChainNode } from '../../src/model/chain.js';
import type { ImageFacts } from '../../src/model/image.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/qemu-img-info');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const MiB = 1048576;

const qcow2QcowRaw: ChainNode[] = [
  {
    filename: 'top.qcow2',
    format: 'qcow2',
    virtualSize: MiB,
    backingFile: 'sub/mid.qcow2',
    backingFileResolved: 'sub/mid.qcow2',
    backingFormat: 'qcow2',
  },
  {
    filename: 'sub/mid.qcow2',
    format: 'qcow2',
    virtualSize: MiB,
    backingFile: 'base.raw',
    backingFileResolved: 'sub/base.raw',
    backingFormat: 'raw',
  },
  { filename: 'sub/base.raw', format: 'raw', virtualSize: MiB },
];

const vmdkFlat: ChainNode[] = [
  {
    filename: 'ov-vmdk.qcow2',
    format: 'qcow2',
    virtualSize: MiB,
    backingFile: 'sub/mf.vmdk',
    backingFileResolved: 'sub/mf.vmdk',
    backingFormat: 'vmdk',
  },
  // qemu-img prints the extent as opened, "sub/mf-flat.vmdk"; the descriptor says "mf-flat.vmdk".
  { filename: 'sub/mf.vmdk', format: 'vmdk', virtualSize: MiB, extents: ['mf-flat.vmdk'] },
];

const CASES: Array<[string, ChainNode[]]> = [
  ['qcow2-qcow2-raw-7.2.json', qcow2QcowRaw],
  ['qcow2-qcow2-raw-10.2.json', qcow2QcowRaw],
  ['qcow2-vmdk-flat-7.2.json', vmdkFlat],
  ['qcow2-vmdk-flat-10.2.json', vmdkFlat],
  ['qcow2-data-file-7.2.json', [{ filename: 'df.qcow2', format: 'qcow2', virtualSize: MiB, dataFile: 'df.data' }]],
  ['qcow2-data-file-10.2.json', [{ filename: 'df.qcow2', format: 'qcow2', virtualSize: MiB, dataFile: 'df.data' }]],
  [
    'qcow2-absolute-7.2.json',
    [
      {
        filename: '/images/top.qcow2',
        format: 'qcow2',
        virtualSize: MiB,
        backingFile: 'sub/mid.qcow2',
        backingFileResolved: '/images/sub/mid.qcow2',
        backingFormat: 'qcow2',
      },
      {
        filename: '/images/sub/mid.qcow2',
        format: 'qcow2',
        virtualSize: MiB,
        backingFile: 'base.raw',
        backingFileResolved: '/images/sub/base.raw',
        backingFormat: 'raw',
      },
      { filename: '/images/sub/base.raw', format: 'raw', virtualSize: MiB },
    ],
  ],
  // "file:" stays in the full backing name (opened from the current folder) but not in the node's name.
  [
    'qcow2-file-prefix-7.2.json',
    [
      {
        filename: 'fileprefix.qcow2',
        format: 'qcow2',
        virtualSize: MiB,
        backingFile: 'file:sub/base.raw',
        backingFileResolved: 'file:sub/base.raw',
        backingFormat: 'raw',
      },
      { filename: 'sub/base.raw', format: 'raw', virtualSize: MiB },
    ],
  ],
  // qed records a backing format only for raw: the qcow2 below was probed.
  [
    'qed-probed-backing-7.2.json',
    [
      {
        filename: 'over.qed',
        format: 'qed',
        virtualSize: MiB,
        backingFile: 'top.qcow2',
        backingFileResolved: 'top.qcow2',
      },
      ...qcow2QcowRaw,
    ],
  ],
  // A sparse vmdk is its own only extent: no descriptor extents.
  ['vmdk-monolithic-sparse-7.2.json', [{ filename: 'sub/ms.vmdk', format: 'vmdk', virtualSize: MiB }]],
  [
    'vmdk-two-gb-sparse-7.2.json',
    [
      {
        filename: 'sub/tgs.vmdk',
        format: 'vmdk',
        virtualSize: 3 * 1024 * MiB,
        extents: ['tgs-s001.vmdk', 'tgs-s002.vmdk'],
      },
    ],
  ],
  ['luks-7.2.json', [{ filename: 'd.luks', format: 'luks', virtualSize: MiB, encrypted: true }]],
];

describe('chainFromQemuImgJson', () => {
  it.each(CASES)('%s', (name, chain) => {
    expect(chainFromQemuImgJson('x', fixture(name))).toStrictEqual({ path: 'x', chain });
  });

  it('does not depend on key order', () => {
    const reversed = (fixture('qcow2-vmdk-flat-10.2.json') as object[]).map(reverseKeys);
    expect(chainFromQemuImgJson('ov-vmdk.qcow2', reversed).chain).toStrictEqual(vmdkFlat);
  });

  it('refuses output that is not a chain', () => {
    expect(chainFromQemuImgJson('a', { filename: 'a', format: 'raw' })).toStrictEqual({
      path: 'a',
      chain: [],
      error: 'qemu-img info did not print a JSON array',
    });
    expect(
      chainFromQemuImgJson('a', [{ filename: 'a', format: 'raw', 'virtual-size': 1 }, { format: 'raw' }]),
    ).toStrictEqual({
      path: 'a',
      chain: [{ filename: 'a', format: 'raw', virtualSize: 1 }],
      error: 'qemu-img info printed an image without filename or format',
    });
  });
});

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  );
}

describe('descriptorExtents', () => {
  it('takes the image folder off relative extents only', () => {
    expect(descriptorExtents('d/a.vmdk', ['d/a-flat.vmdk', '/abs/b.vmdk', 'd/../c.vmdk'])).toEqual([
      'a-flat.vmdk',
      '/abs/b.vmdk',
      '../c.vmdk',
    ]);
    expect(descriptorExtents('a.vmdk', ['a-flat.vmdk'])).toEqual(['a-flat.vmdk']);
    expect(descriptorExtents('d/a.vmdk', ['d/a.vmdk'])).toBeUndefined();
  });
});

/** stderr as qemu-img 7.2.22 printed it (run in the images' folder). */
describe('qemuImgErrorLine', () => {
  it.each([
    [
      "qemu-img: Could not open 'nothere.qcow2': Could not open 'nothere.qcow2': No such file or directory\n",
      "Could not open 'nothere.qcow2': Could not open 'nothere.qcow2': No such file or directory",
    ],
    [
      "qemu-img: Backing file './b.qcow2' creates an infinite loop.\n",
      "Backing file './b.qcow2' creates an infinite loop.",
    ],
    [
      "qemu-img: Could not open 'c.qcow2': Unknown driver 'zzzzz'\n",
      "Could not open 'c.qcow2': Unknown driver 'zzzzz'",
    ],
    [
      'prlimit: failed to execute qemu-img: No such file or directory\n',
      'prlimit: failed to execute qemu-img: No such file or directory',
    ],
  ])('%j', (stderr, line) => {
    expect(qemuImgErrorLine(stderr)).toBe(line);
  });

  it('strips the name of the binary that ran', () => {
    expect(qemuImgErrorLine("qemu-img: Could not open 'x': y\n", '/opt/q/bin/qemu-img')).toBe("Could not open 'x': y");
  });
});

/**
 * The native reader where qemu-img cannot be asked in a temp dir (remote and device backing
 * files, very long chains); the rest is checked against qemu-img in chain-readers.test.ts.
 */
describe('readChain', () => {
  const qcow2 = (filename: string, backingFile?: string): ImageFacts => ({
    filename,
    exists: true,
    kind: 'file',
    size: 196616,
    header: { format: 'qcow2', virtualSize: MiB, notes: [], ...(backingFile ? { backingFile } : {}) },
  });
  const files =
    (...facts: ImageFacts[]) =>
    (name: string) =>
      facts.find((f) => f.filename === name);

  it.each([
    ['nbd://host/export', 'nbd://host/export'],
    ['json:{"driver":"raw"}', 'json:{"driver":"raw"}'],
    ['/dev/sdb', '/dev/sdb'],
  ])('stops at %s without a node or an error', (backing, resolved) => {
    const chain = readChain('d/top.qcow2', files(qcow2('d/top.qcow2', backing)));
    expect(chain).toStrictEqual({
      path: 'd/top.qcow2',
      chain: [
        {
          filename: 'd/top.qcow2',
          format: 'qcow2',
          virtualSize: MiB,
          backingFile: backing,
          backingFileResolved: resolved,
        },
      ],
    });
  });

  it('stops at a block device found on the host', () => {
    const device: ImageFacts = { filename: 'disk', exists: true, kind: 'block-device' };
    expect(readChain('top.qcow2', files(qcow2('top.qcow2', 'disk'), device)).chain).toHaveLength(1);
  });

  it('refuses an unknown protocol as qemu-img does', () => {
    expect(readChain('top.qcow2', files(qcow2('top.qcow2', 'x:y.qcow2'))).error).toBe(
      "Could not open 'x:y.qcow2': Unknown protocol 'x'",
    );
  });

  it('stops at maxDepth', () => {
    const many = Array.from({ length: 5 }, (_, i) => qcow2(`${i}.qcow2`, `${i + 1}.qcow2`));
    const chain = readChain('0.qcow2', files(...many), { maxDepth: 3 });
    expect(chain.chain.map((n) => n.filename)).toEqual(['0.qcow2', '1.qcow2', '2.qcow2']);
    expect(chain.error).toBe('Backing chain is longer than 3 images');
  });

  it('opens a "file:" backing name from the current folder, named without the prefix', () => {
    const chain = readChain('d/top.qcow2', files(qcow2('d/top.qcow2', 'file:b.qcow2'), qcow2('b.qcow2')));
    expect(chain.chain.map((n) => [n.filename, n.backingFileResolved])).toEqual([
      ['d/top.qcow2', 'file:b.qcow2'],
      ['b.qcow2', undefined],
    ]);
  });
});
