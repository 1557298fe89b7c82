import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { QmpParseError, parseNamedBlockNodes, parseQueryBlock, parseTraceLine } from '../../src/host/qmp-parse.js';

// Recorded from real runs by recordQmpFixtures() in test/support/observe.ts.
interface Fixture {
  args: string[];
  replies: Record<string, unknown>;
  trace: string[];
  traceWithTimestamps: string[];
}

function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`../fixtures/qmp/${name}.json`, import.meta.url), 'utf8')) as Fixture;
}

const overlay = fixture('debian-qcow2-over-vmdk');
const blockdev = fixture('debian-blockdev-virtio');
const vpc = fixture('rhel9-vpc-auto-ro');

/** [driver, readOnly, filename], ignoring the generated #blockNNN names. */
const shape = (nodes: ReturnType<typeof parseNamedBlockNodes>) => nodes.map((n) => [n.driver, n.readOnly, n.filename]);

describe('parseNamedBlockNodes', () => {
  test('qcow2 over vmdk (stock 7.2.22): backing chain opened read-only, newest node first', () => {
    expect(shape(parseNamedBlockNodes(overlay.replies['query-named-block-nodes flat']))).toEqual([
      ['vmdk', true, 't.vmdk'],
      ['file', true, 't.vmdk'],
      ['qcow2', false, 'ov-vmdk.qcow2'],
      ['file', false, 'ov-vmdk.qcow2'],
    ]);
  });

  test('the same reply without flat', () => {
    const flat = parseNamedBlockNodes(overlay.replies['query-named-block-nodes flat']);
    expect(parseNamedBlockNodes(overlay.replies['query-named-block-nodes'])).toEqual(flat);
  });

  test('keeps user node names', () => {
    const nodes = parseNamedBlockNodes(blockdev.replies['query-named-block-nodes flat']);
    expect(nodes[0]).toEqual({ nodeName: 'n0', driver: 'vmdk', readOnly: false, filename: 't.vmdk' });
    expect(nodes[1]?.nodeName).toMatch(/^#block\d+$/);
  });

  test('rhel9 -drive vpc: auto-read-only made the vpc node ro, its file child stayed rw', () => {
    expect(shape(parseNamedBlockNodes(vpc.replies['query-named-block-nodes flat']))).toEqual([
      ['vpc', true, 't.vpc'],
      ['file', false, 't.vpc'],
    ]);
  });

  test('accepts the bare return value too', () => {
    const reply = overlay.replies['query-named-block-nodes flat'] as { return: unknown };
    expect(parseNamedBlockNodes(reply.return)).toHaveLength(4);
  });

  test('an error reply is not a node list', () => {
    const reply = overlay.replies['query-named-block-nodes bogus'];
    expect(reply).toEqual({ error: { class: 'GenericError', desc: "Parameter 'bogus' is unexpected" } });
    expect(() => parseNamedBlockNodes(reply)).toThrow(QmpParseError);
  });

  test('a node without drv is rejected', () => {
    expect(() => parseNamedBlockNodes([{ 'node-name': 'x', ro: false, file: 'f' }])).toThrow(
      'query-named-block-nodes: "drv" is not a string',
    );
  });
});

describe('parseQueryBlock', () => {
  test('-drive if=none: d0 without a guest device, plus the pc machine default drives', () => {
    const blocks = parseQueryBlock(overlay.replies['query-block']);
    expect(blocks).toEqual([
      { device: 'd0', nodeName: blocks[0]?.nodeName, driver: 'qcow2', readOnly: false },
      { device: 'ide1-cd0', qdev: '/machine/unattached/device[21]' },
      { device: 'floppy0', qdev: '/machine/unattached/device[14]' },
      { device: 'sd0' },
    ]);
    expect(blocks[0]?.nodeName).toMatch(/^#block\d+$/);
  });

  test('-blockdev attached to virtio-blk: anonymous BlockBackend ("") with the device path', () => {
    expect(parseQueryBlock(blockdev.replies['query-block']).at(-1)).toEqual({
      device: '',
      qdev: '/machine/peripheral-anon/device[0]/virtio-backend',
      nodeName: 'n0',
      driver: 'vmdk',
      readOnly: false,
    });
  });

  test('rhel9 vpc through -drive is ro in query-block too', () => {
    expect(parseQueryBlock(vpc.replies['query-block'])[0]).toMatchObject({
      device: 'd0',
      driver: 'vpc',
      readOnly: true,
    });
  });
});

describe('parseTraceLine', () => {
  test('bdrv_open_common lines from the log backend, in open order', () => {
    expect(overlay.trace.map(parseTraceLine).map((t) => t && [t.formatName, t.filename, t.flags])).toEqual([
      ['file', 'ov-vmdk.qcow2', 0x2a002],
      ['qcow2', 'ov-vmdk.qcow2', 0x22002],
      ['file', 't.vmdk', 0xa000],
      ['vmdk', 't.vmdk', 0x2000],
    ]);
  });

  test('decodes the requested access: -drive asks rw + auto-read-only, the backing chain ro', () => {
    const [file, qcow2, backingFile, vmdk] = overlay.trace.map(parseTraceLine);
    expect(qcow2).toMatchObject({ readWrite: true, autoReadOnly: true });
    expect(file).toMatchObject({ readWrite: true, autoReadOnly: true });
    expect(backingFile).toMatchObject({ readWrite: false, autoReadOnly: false });
    expect(vmdk).toMatchObject({ readWrite: false, autoReadOnly: false });
    expect(vmdk?.bs).toMatch(/^0x[0-9a-f]+$/);
  });

  test('-blockdev asks rw without auto-read-only', () => {
    expect(blockdev.trace.map(parseTraceLine).map((t) => t && [t.formatName, t.readWrite, t.autoReadOnly])).toEqual([
      ['file', true, false],
      ['vmdk', true, false],
    ]);
  });

  test('with -msg timestamp=on (PID@sec.usec: prefix)', () => {
    expect(overlay.traceWithTimestamps[0]).toMatch(/^\d+@\d+\.\d+:bdrv_open_common /);
    expect(overlay.traceWithTimestamps.map((line) => parseTraceLine(line)?.formatName)).toEqual([
      'file',
      'qcow2',
      'file',
      'vmdk',
    ]);
  });

  test('a filename with quotes and spaces is taken whole', () => {
    const line = 'bdrv_open_common bs 0x1 filename "my "odd" disk.img" flags 0x2 format_name "file"';
    expect(parseTraceLine(line)).toMatchObject({ filename: 'my "odd" disk.img', formatName: 'file' });
  });

  test('other lines are not open events', () => {
    expect(parseTraceLine('module_load_module file block-curl.so')).toBeUndefined();
    expect(parseTraceLine('')).toBeUndefined();
  });
});
