/**
 * Predictions for domain XMLs against a REAL libvirt 9.0.0: `virsh -c qemu:///embed?root=DIR` runs libvirt's QEMU
 * driver inside virsh with all its state under DIR. As root the driver insists on the libvirt-qemu user (only
 * libvirt-daemon-system creates it), so virsh runs under `unshare --user`: unprivileged for libvirt, still uid 0 for
 * the kernel, which lets QEMU read the oracles under ~/.cache. libvirt clears QEMU's environment, so an oracle finds
 * only the accel modules of its own module dir, as a deployed RHEL qemu-kvm would find its installed ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, openSync, readSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planDomain } from '../../src/stack/libvirt/plan.js';
import { evaluateStack } from '../../src/engine/stack.js';
import { factsReader } from '../../src/host/facts.js';
import { libvirtHostProfile } from '../../src/host/inspect-libvirt.js';
import { explain } from '../../src/explain/explain.js';
import { oracle } from '../support/oracles.js';
import type { Profile } from '../../src/model/profile.js';

const FIXTURES = 'test/fixtures/domains';
const PLACEHOLDER = '/srv/blockgate-images';
let dir: string;

/** Turns the qcow2 backing-format extension into an unknown one, which qcow2 skips: the format is then not recorded. */
function forgetBackingFormat(path: string): void {
  const fd = openSync(path, 'r+');
  const head = Buffer.alloc(4096);
  readSync(fd, head, 0, 4096, 0);
  let offset = head.readUInt32BE(100);
  for (;;) {
    const type = head.readUInt32BE(offset);
    if (type === 0) throw new Error(`${path}: no backing format extension`);
    if (type === 0xe2792aca) break;
    offset += 8 + Math.ceil(head.readUInt32BE(offset + 4) / 8) * 8;
  }
  const patch = Buffer.alloc(4);
  patch.writeUInt32BE(0x12345678);
  writeSync(fd, patch, 0, 4, offset);
  closeSync(fd);
}

function qemuImg(...args: string[]): void {
  execFileSync('qemu-img', args, { cwd: dir, stdio: 'pipe' });
}

function domainXml(name: string, emulator?: string): string {
  const xml = readFileSync(join(FIXTURES, `${name}.xml`), 'utf8').replaceAll(PLACEHOLDER, dir);
  if (!emulator) return xml;
  // The oracles are built without firmware blobs (--disable-install-blobs): hand them Debian's SeaBIOS.
  return xml
    .replace('/usr/bin/qemu-system-x86_64', emulator)
    .replace('</os>', "  <loader type='rom'>/usr/share/seabios/bios-256k.bin</loader>\n  </os>");
}

interface RealRun {
  created: boolean;
  /** virsh's "error: " lines after "Failed to create domain", without the prefix. */
  error: string;
  /** The -blockdev arguments libvirt gave QEMU (from the domain log). */
  blockdevs: string[];
}

/** virsh create --paused in a private embedded libvirt, then destroy; the domain log has the command line. */
function realLibvirt(xml: string): RealRun {
  const root = mkdtempSync(join(dir, 'libvirt-'));
  const file = join(root, 'domain.xml');
  execFileSync('sh', ['-c', 'cat > "$1"', 'sh', file], { input: xml });
  const name = /<name>([^<]+)<\/name>/.exec(xml)?.[1] ?? '';
  const r = spawnSync(
    'unshare',
    ['--user', 'virsh', '-q', '-c', `qemu:///embed?root=${root}`, `create --paused ${file}; destroy ${name}`],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (r.error) throw r.error;
  const lines = r.stderr.split('\n');
  const failed = lines.findIndex((l) => l.startsWith('error: Failed to create domain'));
  const error = failed < 0 ? '' : (lines[failed + 1] ?? '').replace(/^error: /, '');
  let log = '';
  try {
    log = readFileSync(join(root, 'log', 'qemu', `${name}.log`), 'utf8');
  } catch {
    /* libvirt refused before starting QEMU */
  }
  rmSync(root, { recursive: true, force: true });
  return {
    created: failed < 0 && r.status === 0,
    error,
    blockdevs: [...log.matchAll(/-blockdev '([^']+)'/g)].map((m) => m[1] ?? ''),
  };
}

function predict(xml: string, profile: Profile) {
  const result = evaluateStack(planDomain(xml, { profile, facts: factsReader(dir), env: {} }), profile);
  const libvirt = result.steps.find((s) => s.step.id === 'libvirt');
  const qemu = result.steps.find((s) => s.step.id === 'qemu');
  return {
    result,
    libvirtMessage: libvirt?.step.messages?.[0] ?? '',
    qemuMessages: qemu?.check?.messages ?? [],
    blockdevs: (qemu?.check?.plan.drives ?? [])
      .filter((d) => d.kind === '-blockdev')
      .map((d) => d.location.replace(/^-blockdev /, '')),
  };
}

/** libvirt wraps QEMU's stderr: "internal error: qemu unexpectedly closed the monitor: 2026-...Z LINE" (or "process exited while connecting to monitor"). */
function qemuLine(error: string): string {
  return error.replace(/^internal error: .*?: (?:\d{4}-\d\d-\d\dT[\d:.]+Z )?/, '');
}

let debian: Profile;
let rhel9: Profile;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'blockgate-libvirt-'));
  qemuImg('create', '-q', '-f', 'qcow2', 'base.qcow2', '16M');
  qemuImg('create', '-q', '-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', 'overlay.qcow2');
  qemuImg('create', '-q', '-f', 'raw', 'data.img', '1M');
  qemuImg('create', '-q', '-f', 'vpc', 'disk.vpc', '16M');
  qemuImg('create', '-q', '-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', 'unrecorded.qcow2');
  forgetBackingFormat(join(dir, 'unrecorded.qcow2'));
  qemuImg('create', '-q', '-f', 'qcow2', '-b', 'overlay.qcow2', '-F', 'qcow2', 'unrecorded-chain.qcow2');
  forgetBackingFormat(join(dir, 'unrecorded-chain.qcow2'));
  qemuImg('create', '-q', '-f', 'qcow2', 'loop.qcow2', '1M');
  qemuImg('rebase', '-q', '-u', '-b', 'loop.qcow2', '-F', 'qcow2', 'loop.qcow2');
  qemuImg('create', '-q', '-f', 'qcow2', '-u', '-b', 'gone.qcow2', '-F', 'qcow2', 'missing-backing.qcow2', '1M');
  qemuImg(
    'create',
    '-q',
    '-f',
    'qcow2',
    '-u',
    '-b',
    'json:{"driver":"null-co","size":1048576}',
    '-F',
    'raw',
    'json-backing.qcow2',
    '1M',
  );
  // The profiles libvirt really runs with: the emulator inspected as check --domain does, and this machine's libvirtd.
  debian = await libvirtHostProfile('/usr/bin/qemu-system-x86_64');
  rhel9 = await libvirtHostProfile(oracle('rhel9').qemu);
  expect(debian.libvirt?.version).toBe('9.0.0');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('libvirt 9.0.0 really refuses what blockgate says it refuses, word for word', () => {
  for (const name of ['backing-format-missing', 'json-backing', 'tftp', 'vxhs', 'readonly-ide']) {
    it(name, () => {
      const xml = domainXml(name);
      const predicted = predict(xml, debian);
      expect(predicted.result.verdict).toBe('fails');
      const real = realLibvirt(xml);
      expect(real.created).toBe(false);
      expect(predicted.libvirtMessage).toBe(real.error);
      // explain reads the real text back to the code blockgate predicted, at the libvirt layer.
      const [explained] = explain(`error: ${real.error}`, debian, { numbered: false }).explained;
      const refusal = predicted.result.findings.find((f) => f.layer === 'libvirt' && f.severity === 'error');
      expect({ code: explained?.code, layer: explained?.layer }).toEqual({ code: refusal?.code, layer: 'libvirt' });
    });
  }

  it('a backing chain that loops', () => {
    const xml = domainXml('backing-format-probed').replace('unrecorded.qcow2', 'loop.qcow2');
    const predicted = predict(xml, debian).libvirtMessage;
    expect(predicted).toBe(
      `internal error: backing store for ${dir}/loop.qcow2 is self-referential or too deeply nested`,
    );
    const real = realLibvirt(xml).error;
    expect(real).toBe(predicted);
    expect(explain(`error: ${real}`, debian, { numbered: false }).explained[0]).toMatchObject({
      code: 'libvirt-chain-too-deep',
      layer: 'libvirt',
    });
  });

  it('a missing image: the same text (a vpc is not read, so no uid and gid are named)', () => {
    const xml = domainXml('vpc-read-only').replace('disk.vpc', 'gone.vpc');
    expect(predict(xml, debian).libvirtMessage).toBe(realLibvirt(xml).error);
  });

  it('a missing qcow2 and a missing backing image: the same text, with the uid and gid libvirt runs QEMU as', () => {
    for (const image of ['gone.qcow2', 'missing-backing.qcow2']) {
      const xml = domainXml('backing-format-probed').replace('unrecorded.qcow2', image);
      const predicted = predict(xml, debian).libvirtMessage;
      const real = realLibvirt(xml).error;
      expect(predicted).toContain('uid:UID, gid:GID');
      expect(real).toBe(
        predicted.replace('uid:UID, gid:GID', real.match(/uid:\d+, gid:\d+/)?.[0] ?? 'no uid in the real message'),
      );
    }
  });

  it('a missing image in an explicit <backingStore>: libvirt does not look, QEMU refuses it', () => {
    const xml = domainXml('explicit-backing-store').replace(`${dir}/base.qcow2`, `${dir}/gone-base.qcow2`);
    const predicted = predict(xml, debian);
    expect(predicted.libvirtMessage).toBe('');
    expect(predicted.qemuMessages).toHaveLength(1);
    expect(qemuLine(realLibvirt(xml).error)).toBe(predicted.qemuMessages[0]);
  });
});

describe('the -blockdev command libvirt 9.0.0 really writes is the one blockgate judges', () => {
  for (const name of [
    'overlay-chain',
    'backing-format-probed',
    'explicit-backing-store',
    'no-driver-type',
    'vpc-read-only',
  ]) {
    it(`${name}: same -blockdev options, and both start`, () => {
      const xml = domainXml(name);
      const predicted = predict(xml, debian);
      const real = realLibvirt(xml);
      expect(real.error).toBe('');
      expect(real.created).toBe(true);
      expect(predicted.result.verdict).not.toBe('fails');
      expect(predicted.blockdevs).toEqual(real.blockdevs);
    });
  }
});

describe('QEMU refusals reach the user through libvirt', () => {
  it('rhel9 oracle: vpc read-write fails with the whitelist message, read-only starts', () => {
    const emulator = oracle('rhel9').qemu;
    const rw = domainXml('vpc-read-write', emulator);
    const predicted = predict(rw, rhel9);
    expect(predicted.qemuMessages).toEqual([
      'qemu-system-x86_64: -blockdev ' +
        '{"node-name":"libvirt-1-format","read-only":false,"driver":"vpc","file":"libvirt-1-storage"}: ' +
        "Driver 'vpc' can only be used for read-only devices",
    ]);
    const real = realLibvirt(rw);
    expect(real.created).toBe(false);
    expect(qemuLine(real.error)).toBe(predicted.qemuMessages[0]);
    // The QEMU line inside libvirt's wrapper is explained as QEMU's, passed on by libvirt.
    const [explained] = explain(`error: ${real.error}`, rhel9, { numbered: false }).explained;
    expect(explained).toMatchObject({ code: 'driver-read-only-only', layer: 'whitelist' });
    expect(predicted.blockdevs).toEqual(real.blockdevs);
    const ro = domainXml('vpc-read-only', emulator);
    expect(predict(ro, rhel9).result.verdict).toBe('opens');
    expect(realLibvirt(ro).created).toBe(true);
  });

  it('leaves no QEMU of its own running', () => {
    const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
    expect(ps.split('\n').filter((l) => l.includes(dir))).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.startsWith('libvirt-'))).toEqual([]);
  });
});
