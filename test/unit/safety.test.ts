/** One scenario per image safety code, on hand-built chains in /images (QEMU runs in /images). */
import { describe, expect, it } from 'vitest';
import type { ChainNode } from '../../src/model/chain.js';
import type { ProbeScore } from '../../src/model/image.js';
import { imageFindings, type ImageFinding, type NodeFacts } from '../../src/image/safety.js';

interface Given {
  declared?: string;
  probes?: Record<string, string[]>;
  facts?: Record<string, NodeFacts>;
  realPaths?: Record<string, string>;
  maxDepth?: number;
  qemu?: string;
  error?: string;
}

const scores = (formats: string[]): ProbeScore[] =>
  [...formats, 'raw'].map((format) => ({ format, score: format === 'raw' ? 1 : 100 }) as ProbeScore);

function judge(chain: ChainNode[], given: Given = {}): ImageFinding[] {
  const nodes = new Map<string, NodeFacts>(Object.entries(given.facts ?? {}));
  for (const [name, formats] of Object.entries(given.probes ?? {}))
    nodes.set(name, { ...nodes.get(name), probes: scores(formats) });
  return imageFindings(
    { path: chain[0]?.filename ?? 'top.qcow2', chain, ...(given.error ? { error: given.error } : {}) },
    {
      nodes,
      ...(given.declared ? { declaredFormat: given.declared } : {}),
      realPaths: new Map(Object.entries(given.realPaths ?? {})),
    },
    { maxDepth: given.maxDepth ?? 256, cwd: '/images', ...(given.qemu ? { qemuVersion: given.qemu } : {}) },
  );
}

/** "code:severity" for each finding, the top's image-format-probed left out unless asked for. */
const codes = (chain: ChainNode[], given: Given = {}) =>
  judge(chain, given)
    .map((f) => `${f.code}:${f.severity}`)
    .filter((c) => c !== 'image-format-probed:info');
const args = (chain: ChainNode[], code: string, given: Given = {}) =>
  judge(chain, given).find((f) => f.code === code)?.args;

const qcow2 = (filename: string, more: Partial<ChainNode> = {}): ChainNode => ({ filename, format: 'qcow2', ...more });
const overlay = (backingFile: string, more: Partial<ChainNode> = {}) =>
  qcow2('top.qcow2', { backingFile, backingFormat: 'qcow2', ...more });
const vmdk = (...extents: string[]): ChainNode => ({ filename: 'disk.vmdk', format: 'vmdk', extents });

describe('benign images', () => {
  it('a qcow2 overlay on a base in the same folder, format recorded: nothing above info', () =>
    expect(
      codes([overlay('base.qcow2', { backingFileResolved: 'base.qcow2' }), qcow2('base.qcow2')], {
        probes: { 'top.qcow2': ['qcow2'], 'base.qcow2': ['qcow2'] },
      }),
    ).toEqual([]));
  it('a base in a subfolder', () =>
    expect(codes([overlay('bases/base.qcow2'), qcow2('bases/base.qcow2')])).toEqual([]));
  it('a plain raw disk', () =>
    expect(codes([{ filename: 'disk.raw', format: 'raw' }], { probes: { 'disk.raw': [] } })).toEqual([]));
  it('a vmdk with its flat extent beside it', () => expect(codes([vmdk('disk-flat.vmdk')])).toEqual([]));
});

describe('image-format-probed', () => {
  it('no format given: info, with what the header matches', () =>
    expect(judge([qcow2('top.qcow2')], { probes: { 'top.qcow2': ['qcow2'] } })[0]).toEqual({
      code: 'image-format-probed',
      severity: 'info',
      node: 'top.qcow2',
      args: { format: 'qcow2', alternatives: 'qcow2' },
    }));
  it('a declared format: not reported', () => expect(judge([qcow2('top.qcow2')], { declared: 'qcow2' })).toEqual([]));
});

describe('image-format-ambiguous', () => {
  it('declared raw, header says qcow2 (a guest wrote a qcow2 header)', () =>
    expect(codes([qcow2('disk.img')], { declared: 'raw', probes: { 'disk.img': ['qcow2'] } })).toEqual([
      'image-format-ambiguous:error',
    ]));
  it('two formats match the header', () =>
    expect(args([qcow2('x.img')], 'image-format-ambiguous', { probes: { 'x.img': ['vdi', 'qcow2'] } })).toMatchObject({
      formats: 'vdi, qcow2',
      probed: 'vdi',
    }));
  it('named .raw or .iso, header says qcow2: a warning', () =>
    expect(codes([qcow2('cd.iso')], { probes: { 'cd.iso': ['qcow2'] } })).toEqual(['image-format-ambiguous:warning']));
  it('a backing file recorded as raw whose header says qcow2', () =>
    expect(
      codes([overlay('base.raw', { backingFormat: 'raw' }), qcow2('base.raw')], { probes: { 'base.raw': ['qcow2'] } }),
    ).toEqual(['image-format-ambiguous:error']));
  it('named .img: says nothing', () =>
    expect(codes([qcow2('cloud.img')], { probes: { 'cloud.img': ['qcow2'] } })).toEqual([]));
});

describe('backing file names', () => {
  it('absolute, inside the folder', () =>
    expect(codes([overlay('/images/base.qcow2')])).toEqual(['backing-absolute:warning']));
  it('absolute, /etc/passwd', () =>
    expect(codes([overlay('/etc/passwd')])).toEqual(['backing-absolute:warning', 'backing-outside-folder:error']));
  it('relative, up and out', () =>
    expect(args([overlay('../etc/shadow')], 'backing-outside-folder')).toEqual({
      backing: '../etc/shadow',
      resolved: '/etc/shadow',
      folder: '/images',
    }));
  it('file: prefix is still a local path', () =>
    expect(codes([overlay('file:/etc/passwd')])).toEqual(['backing-absolute:warning', 'backing-outside-folder:error']));
  it('a symlink in the folder that leads out', () =>
    expect(codes([overlay('link.qcow2')], { realPaths: { '/images/link.qcow2': '/etc/passwd' } })).toEqual([
      'backing-outside-folder:error',
    ]));
  it('a device', () => expect(codes([overlay('/dev/sda')])).toEqual(['backing-device:error']));
  it('host_device: prefix', () =>
    expect(args([overlay('host_device:/dev/sdb')], 'backing-device')).toMatchObject({ resolved: '/dev/sdb' }));
  it('a relative name that a symlink turns into a device', () =>
    expect(codes([overlay('disk')], { realPaths: { '/images/disk': '/dev/sdc' } })).toEqual(['backing-device:error']));
  it('a URL', () =>
    expect(args([overlay('nbd://10.0.0.1/export')], 'backing-url')).toEqual({
      backing: 'nbd://10.0.0.1/export',
      protocol: 'nbd',
    }));
  it('json: with quorum and nbd children, drivers named', () =>
    expect(
      args(
        [
          overlay(
            'json:{"driver":"quorum","children":[{"driver":"raw","file":{"driver":"file","filename":"/etc/passwd"}},{"driver":"nbd","server":{"type":"inet","host":"10.0.0.9","port":"10809"}}]}',
          ),
        ],
        'backing-json',
      ),
    ).toMatchObject({ drivers: 'quorum, raw, file, nbd', filenames: '/etc/passwd', servers: '10.0.0.9:10809' }));
  it('json: with dotted keys', () =>
    expect(
      args([overlay('json:{"file.driver":"ssh","file.host":"h","file.path":"/x"}')], 'backing-json'),
    ).toMatchObject({ drivers: 'ssh', servers: 'h', filenames: '/x' }));
});

describe('backing-format-missing', () => {
  it("libvirt's message, the image path absolute and the backing name as written", () =>
    expect(
      args([overlay('base.qcow2', { backingFormat: undefined }), qcow2('base.qcow2')], 'backing-format-missing')?.[
        'message'
      ],
    ).toBe(
      "format of backing image 'base.qcow2' of image '/images/top.qcow2' was not specified in " +
        'the image metadata (See https://libvirt.org/kbase/backing_chains.html for troubleshooting)',
    ));
  it('libvirt 6.1+ accepts a probed backing file that has no backing file of its own', () =>
    expect(
      args([overlay('base.qcow2', { backingFormat: undefined }), qcow2('base.qcow2')], 'backing-format-missing'),
    ).toMatchObject({ refusedBy: 'libvirt 6.0.0 (6.1 and later probe it and accept it)' }));
  it('every libvirt >= 6.0 refuses when the backing file has one', () =>
    expect(
      args(
        [
          overlay('mid.qcow2', { backingFormat: undefined }),
          qcow2('mid.qcow2', { backingFile: 'base.raw', backingFormat: 'raw' }),
          { filename: 'base.raw', format: 'raw' },
        ],
        'backing-format-missing',
      ),
    ).toMatchObject({ refusedBy: 'libvirt >= 6.0' }));
  it('the deeper image is named as libvirt joins it to its parent', () =>
    expect(
      args(
        [
          overlay('sub/mid.qcow2'),
          qcow2('sub/mid.qcow2', { backingFile: '../base.raw' }),
          { filename: 'base.raw', format: 'raw' },
        ],
        'backing-format-missing',
      )?.['image'],
    ).toBe('/images/sub/mid.qcow2'));
  it('recorded: nothing', () => expect(codes([overlay('base.qcow2'), qcow2('base.qcow2')])).toEqual([]));
});

describe('data files', () => {
  const withData = (dataFile: string) => [qcow2('top.qcow2', { dataFile })];
  it('beside the image', () => expect(codes(withData('top.raw'))).toEqual([]));
  it('absolute, inside the folder', () =>
    expect(codes(withData('/images/top.raw'))).toEqual(['data-file-absolute:warning']));
  it('/etc/passwd', () =>
    expect(codes(withData('/etc/passwd'))).toEqual(['data-file-absolute:warning', 'data-file-outside-folder:error']));
  it('a device', () => expect(codes(withData('/dev/sda'))).toEqual(['data-file-device:error']));
  it('json: on 7.2.22 opens as a literal local name', () =>
    expect(
      judge(withData('json:{"driver":"nbd","server":{"type":"inet","host":"h","port":"1"}}'), { qemu: '7.2.22' }).find(
        (f) => f.code === 'data-file-url',
      ),
    ).toMatchObject({ severity: 'warning', args: { opensAs: 'literal-path', drivers: 'nbd', protocol: 'json' } }));
  it.each([
    ['7.2.12', 'error'],
    ['8.1.5', 'error'],
    ['8.2.6', 'warning'],
    ['9.0.1', 'error'],
    ['9.0.2', 'warning'],
    ['9.1.0', 'warning'],
    ['10.0.0', 'warning'],
  ])('nbd:// on QEMU %s: %s', (qemu, severity) =>
    expect(codes(withData('nbd://h/x'), { qemu })).toEqual([`data-file-url:${severity}`]),
  );
  it('no QEMU version known: an error', () =>
    expect(args(withData('https://h/x'), 'data-file-url')).toMatchObject({ protocol: 'https', opensAs: 'unknown' }));
});

describe('vmdk extents', () => {
  it('absolute', () => expect(codes([vmdk('/images/disk-flat.vmdk')])).toEqual(['extent-outside-folder:error']));
  it('up and out', () =>
    expect(args([vmdk('../../etc/passwd')], 'extent-outside-folder')).toMatchObject({ resolved: '/etc/passwd' }));
  it('a device', () => expect(codes([vmdk('/dev/null')])).toEqual(['extent-device:error']));
});

describe('the chain', () => {
  it('backing-loop: the base points back at the top', () =>
    expect(codes([overlay('b.qcow2'), qcow2('b.qcow2', { backingFile: 'top.qcow2', backingFormat: 'qcow2' })])).toEqual(
      ['backing-loop:error'],
    ));
  it('backing-loop: an image that is its own backing file', () =>
    expect(codes([overlay('top.qcow2')])).toEqual(['backing-loop:error']));
  it('chain-too-deep: as deep as followed, with a backing file left', () =>
    expect(
      args(
        [overlay('1.qcow2'), qcow2('1.qcow2', { backingFile: '2.qcow2', backingFormat: 'qcow2' })],
        'chain-too-deep',
        { maxDepth: 2 },
      ),
    ).toEqual({ depth: '2', maxDepth: '2' }));
  it('as deep as followed and complete: nothing', () =>
    expect(codes([overlay('1.qcow2'), qcow2('1.qcow2')], { maxDepth: 2 })).toEqual([]));
  it('header-field-out-of-range: each header problem, in QEMU words', () =>
    expect(
      args([qcow2('top.qcow2')], 'header-field-out-of-range', {
        facts: { 'top.qcow2': { header: { format: 'qcow2', refusal: 'Backing file name too long', notes: [] } } },
      }),
    ).toEqual({ format: 'qcow2', text: 'Backing file name too long' }));
  it('file-unreadable: nothing could be read', () =>
    expect(
      imageFindings(
        { path: 'x.qcow2', chain: [] },
        { nodes: new Map([['x.qcow2', { error: 'Permission denied' }]]) },
        { maxDepth: 256, cwd: '/images' },
      ),
    ).toEqual([
      {
        code: 'file-unreadable',
        severity: 'error',
        node: 'x.qcow2',
        args: { filename: 'x.qcow2', text: 'Permission denied' },
      },
    ]));
  it('file-unreadable: a backing file', () =>
    expect(
      codes([overlay('base.qcow2', { backingFileResolved: 'base.qcow2' })], {
        facts: { 'base.qcow2': { error: 'Permission denied' } },
      }),
    ).toEqual(['file-unreadable:error']));
});
