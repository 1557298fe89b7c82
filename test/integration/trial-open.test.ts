import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseTraceLine } from '../../src/host/qmp-parse.js';
import { harmlessCommand, trialOpen, type TrialResult } from '../../src/host/trial-open.js';
import { oracle, type Oracle, type OracleName } from '../support/oracles.js';

// Each run is a real qemu-system-x86_64 started paused (-S); all of them take well under a second.
const TIMEOUT_MS = 20_000;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'blockgate-trial-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A fresh directory holding images made by the oracle's own qemu-img. */
async function images(o: Oracle, ...creates: string[][]): Promise<string> {
  const dir = await mkdtemp(join(work, `${o.name}-`));
  for (const args of creates) await execa(o.qemuImg, ['create', '-q', ...args], { cwd: dir, env: o.env });
  return dir;
}

function open(name: OracleName, dir: string, args: string[], trace = false): Promise<TrialResult> {
  const o = oracle(name);
  return trialOpen(o.qemu, args, { cwd: dir, env: o.env, timeoutMs: TIMEOUT_MS, trace });
}

/** [driver, ro] per node, in creation order (query-named-block-nodes lists the newest first). */
const opened = (r: TrialResult) => [...r.nodes].reverse().map((n) => [n.driver, n.readOnly ? 'ro' : 'rw']);

describe('stock Debian QEMU 7.2', () => {
  test('qcow2 over a vmdk base opens; the backing chain is read-only', async () => {
    const dir = await images(
      oracle('debian'),
      ['-f', 'vmdk', 'base.vmdk', '16M'],
      ['-f', 'qcow2', '-b', 'base.vmdk', '-F', 'vmdk', 'ov.qcow2'],
    );
    const r = await open('debian', dir, ['-M', 'pc', '-drive', 'file=ov.qcow2,format=qcow2,if=none,id=d0'], true);

    expect(r).toMatchObject({ exitCode: 0, stderr: '', started: true });
    expect(opened(r)).toEqual([
      ['file', 'rw'],
      ['qcow2', 'rw'],
      ['file', 'ro'],
      ['vmdk', 'ro'],
    ]);
    expect(r.nodes.find((n) => n.driver === 'vmdk')?.filename).toBe('base.vmdk');
    expect(r.blocks.find((b) => b.device === 'd0')).toMatchObject({ driver: 'qcow2', readOnly: false });
    expect(r.trace.map((line) => parseTraceLine(line)?.formatName)).toEqual(['file', 'qcow2', 'file', 'vmdk']);
  });

  test('a missing image fails during startup with the exact stderr', async () => {
    const r = await open('debian', work, ['-drive', 'file=nosuch.qcow2,format=qcow2,if=none']);
    expect(r).toEqual({
      exitCode: 1,
      stderr:
        'qemu-system-x86_64: -drive file=nosuch.qcow2,format=qcow2,if=none: Could not open ' +
        "'nosuch.qcow2': No such file or directory\n",
      started: false,
      nodes: [],
      blocks: [],
      trace: [],
    });
  });

  test('a guest device reports its qdev path', async () => {
    const dir = await images(oracle('debian'), ['-f', 'raw', 'd.raw', '1M']);
    const r = await open('debian', dir, [
      '-drive',
      'file=d.raw,format=raw,if=none,id=d0',
      '-device',
      'virtio-blk-pci,drive=d0',
    ]);
    expect(r.blocks.find((b) => b.device === 'd0')).toMatchObject({
      qdev: '/machine/peripheral-anon/device[0]/virtio-backend',
      driver: 'raw',
      readOnly: false,
    });
  });

  test("the caller's stdio chardevs give way to -qmp stdio", async () => {
    const r = await open('debian', work, [
      '-M',
      'none',
      '-nographic',
      '-serial',
      'stdio',
      '-chardev',
      'stdio,id=c0,signal=off',
    ]);
    expect(r).toMatchObject({ exitCode: 0, stderr: '', started: true });
  });
});

describe('rhel9 whitelist build (rw qcow2,raw,…; ro vdi,vmdk,vhdx,vpc,https)', () => {
  test('-blockdev vdi read-write is refused before QMP starts', async () => {
    const dir = await images(oracle('rhel9'), ['-f', 'vdi', 't.vdi', '16M']);
    const args = ['-blockdev', 'driver=vdi,node-name=a,file.driver=file,file.filename=t.vdi'];
    const r = await open('rhel9', dir, args);
    expect(r).toMatchObject({
      exitCode: 1,
      started: false,
      stderr:
        'qemu-system-x86_64: -blockdev ' +
        "driver=vdi,node-name=a,file.driver=file,file.filename=t.vdi: Driver 'vdi' can only be " +
        'used for read-only devices\n',
    });
  });

  test('-drive vpc opens silently read-only (auto-read-only)', async () => {
    const dir = await images(oracle('rhel9'), ['-f', 'vpc', 't.vpc', '16M']);
    const r = await open('rhel9', dir, ['-drive', 'file=t.vpc,format=vpc,if=none,id=d0'], true);
    expect(r).toMatchObject({ exitCode: 0, stderr: '', started: true });
    expect(r.nodes.find((n) => n.driver === 'vpc')).toMatchObject({ readOnly: true, filename: 't.vpc' });
    expect(r.blocks.find((b) => b.device === 'd0')).toMatchObject({ driver: 'vpc', readOnly: true });
    // Requested rw with auto-read-only (flags 0x22002); the downgrade happens after the trace point.
    expect(parseTraceLine(r.trace[1] ?? '')).toMatchObject({ formatName: 'vpc', readWrite: true, autoReadOnly: true });
  });
});

describe('harness', () => {
  test('appends what makes the run harmless, keeping options the caller chose', () => {
    expect(harmlessCommand(['-monitor', 'unix:/tmp/m,server=on,wait=off', '-drive', 'file=x'])).toEqual([
      '-monitor',
      'unix:/tmp/m,server=on,wait=off',
      '-drive',
      'file=x',
      '-S',
      '-display',
      'none',
      '-qmp',
      'stdio',
      '-serial',
      'none',
      '-parallel',
      'none',
      '-L',
      '/usr/share/seabios',
      '-L',
      '/usr/share/qemu',
      '-L',
      '/usr/lib/ipxe/qemu',
    ]);
  });

  test('never hangs: a program that never speaks QMP is killed at the timeout', async () => {
    const started = Date.now();
    const r = await trialOpen('/bin/sh', ['-c', 'sleep 30'], { timeoutMs: 500 });
    expect(r).toMatchObject({ exitCode: null, started: false, nodes: [], blocks: [] });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('a program that cannot be run is an error, not a result', async () => {
    await expect(trialOpen('/nonexistent/qemu', [], { timeoutMs: 1_000 })).rejects.toThrow(/could not run/);
  });
});
