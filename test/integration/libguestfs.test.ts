/**
 * Real guestfish 1.48.6 (Debian 12) against blockgate's prediction on the debian-12 profile. The appliance runs
 * under TCG (LIBGUESTFS_BACKEND_SETTINGS=force_tcg): on this host (nested virtualization) KVM aborts QEMU's -cpu max
 * with "failed to set MSR 0x10a", and with -cpu max,-arch-capabilities the appliance kernel runs about a thousand
 * times slower than under TCG. That is the host's fault, not the disk's.
 */
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledProfiles } from '../../src/host/profiles.js';
import { factsReader } from '../../src/host/facts.js';
import { evaluateStack } from '../../src/engine/stack.js';
import { planLibguestfs } from '../../src/stack/libguestfs/plan.js';
import { oracle } from '../support/oracles.js';

const LAUNCH = 600_000;
const dir = mkdtempSync(join(tmpdir(), 'blockgate-libguestfs-'));
const socket = join(dir, 'nbd.sock');
const env = { ...process.env, LIBGUESTFS_BACKEND: 'direct', LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg', LANG: 'C.UTF-8' };

function predict(command: string[], profile = 'debian-12', extra: Record<string, string> = {}) {
  const p = bundledProfiles()[profile];
  if (!p) throw new Error(`no profile ${profile}`);
  const ctx = { profile: p, facts: factsReader(dir), env: { LIBGUESTFS_BACKEND: 'direct', ...extra } };
  const result = evaluateStack(planLibguestfs(command, ctx), p);
  return {
    verdict: result.verdict,
    messages: result.steps.flatMap((s) => s.step.messages ?? []),
    codes: result.findings.map((f) => f.code),
  };
}

async function real(command: string[], extra: Record<string, string> = {}) {
  const [file = '', ...args] = command;
  const r = await execa(file, args, { cwd: dir, env: { ...env, ...extra }, reject: false, input: '' });
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr.split('\n').filter((l) => l !== '') };
}

beforeAll(async () => {
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'disk.qcow2'), '64M']);
  await execa('qemu-img', ['create', '-q', '-f', 'vpc', join(dir, 'disk.vpc'), '64M']);
  // nbdkit forks into the background once the socket is listening.
  await execa('nbdkit', ['-U', socket, '-P', join(dir, 'nbdkit.pid'), 'memory', '64M']);
});

afterAll(() => {
  const pid = Number(readFileSync(join(dir, 'nbdkit.pid'), 'utf8'));
  if (pid > 0) process.kill(pid);
  rmSync(dir, { recursive: true, force: true });
});

describe('guestfish 1.48.6, direct backend', () => {
  it(
    'a disk served by nbdkit over a Unix socket, read-only with --format: opens, and the appliance lists it',
    async () => {
      const command = [
        'guestfish',
        '--ro',
        '--format=raw',
        '-a',
        `nbd:///?socket=${socket}`,
        'run',
        ':',
        'list-devices',
      ];
      expect(predict(command).verdict).toBe('opens');
      const r = await real(command);
      expect(r.stderr).toEqual([]);
      expect([r.exitCode, r.stdout]).toEqual([0, '/dev/sda']);
    },
    LAUNCH,
  );

  it(
    'the same disk without --format: the exact qemu-img info failure',
    async () => {
      const command = ['guestfish', '--ro', '-a', `nbd:///?socket=${socket}`, 'run', ':', 'list-devices'];
      const p = predict(command);
      expect([p.verdict, p.codes]).toEqual(['fails', ['libguestfs-remote-format-needed']]);
      const r = await real(command);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toEqual(p.messages.filter((l) => l !== ''));
    },
    LAUNCH,
  );

  it.each([
    [['guestfish', '--ro', '-a', 'foo://h/x'], ['libguestfs-protocol-unknown']],
    [['guestfish', '--ro', '-a', 'nbd:///x'], ['libguestfs-drive-invalid']],
    [
      ['guestfish', '--ro', '-a', 'nbd+unix:///?socket=/x.sock'],
      ['libguestfs-file-missing', 'libguestfs-uri-not-recognized'],
    ],
    [['virt-cat', '-a', 'foo://h/x', '/etc/fstab'], ['libguestfs-protocol-unknown']],
    [['virt-customize', '-n', '-a', 'gopher://h/x'], ['libguestfs-protocol-unknown']],
    [['virt-customize', '-n', '-a', join(dir, 'missing.img')], ['libguestfs-file-missing']],
  ])(
    'refused by libguestfs: %j',
    async (command, codes) => {
      const p = predict(command);
      expect([p.verdict, p.codes]).toEqual(['fails', codes]);
      const r = await real(command);
      expect(r.exitCode).toBe(1);
      // OCaml tools print "[   0.0] Examining the guest ..." on stdout first; stderr is the message alone.
      expect(r.stderr).toEqual(p.messages.filter((l) => l !== ''));
    },
    LAUNCH,
  );

  it(
    'libvirt backend: a read-only remote drive needs --format (refused while the drive is added, before libvirt)',
    async () => {
      const command = ['guestfish', '--ro', '-a', `nbd:///?socket=${socket}`];
      const p = predict(command, 'debian-12', { LIBGUESTFS_BACKEND: 'libvirt' });
      expect(p.codes).toEqual(['libguestfs-libvirt-format-needed']);
      const r = await real(command, { LIBGUESTFS_BACKEND: 'libvirt' });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toEqual(p.messages);
    },
    LAUNCH,
  );

  it.each([[['--ro']], [[]]])(
    'a local qcow2 image %j: opens',
    async (access) => {
      const command = ['guestfish', ...access, '-a', join(dir, 'disk.qcow2'), 'run', ':', 'list-devices'];
      expect(predict(command).verdict).toBe('opens');
      const r = await real(command);
      expect([r.exitCode, r.stdout, r.stderr]).toEqual([0, '/dev/sda', []]);
    },
    LAUNCH,
  );
});

describe('guestfish on the rhel9 oracle (vpc on the read-only whitelist only)', () => {
  const o = oracle('rhel9');
  // The oracle is built without firmware (--disable-install-blobs): Debian's seabios and option ROMs stand in.
  const hv = join(dir, 'qemu-rhel9.sh');
  writeFileSync(hv, `#!/bin/sh\nexec ${o.qemu} -L /usr/share/qemu -L /usr/share/seabios "$@"\n`);
  chmodSync(hv, 0o755);
  const extra = {
    LIBGUESTFS_HV: hv,
    ...(o.env['QEMU_MODULE_DIR'] ? { QEMU_MODULE_DIR: o.env['QEMU_MODULE_DIR'] } : {}),
  };

  it(
    'read-write: QEMU falls back to read-only, the appliance sees a read-only disk',
    async () => {
      const command = [
        'guestfish',
        '--format=vpc',
        '-a',
        join(dir, 'disk.vpc'),
        'run',
        ':',
        'blockdev-getro',
        '/dev/sda',
      ];
      const p = predict(command, 'rhel-9', { LIBGUESTFS_HV: hv });
      expect([p.verdict, p.codes]).toEqual(['opens-read-only', ['auto-read-only-fallback']]);
      const r = await real(command, extra);
      expect([r.exitCode, r.stdout]).toEqual([0, 'true']);
    },
    LAUNCH,
  );

  it(
    "--ro: the vpc is the overlay's backing file, opened read-only, and the disk is writable",
    async () => {
      const command = [
        'guestfish',
        '--ro',
        '--format=vpc',
        '-a',
        join(dir, 'disk.vpc'),
        'run',
        ':',
        'blockdev-getro',
        '/dev/sda',
      ];
      const p = predict(command, 'rhel-9', { LIBGUESTFS_HV: hv });
      expect([p.verdict, p.codes]).toEqual(['opens', ['libguestfs-overlay']]);
      const r = await real(command, extra);
      expect([r.exitCode, r.stdout]).toEqual([0, 'false']);
    },
    LAUNCH,
  );
});

describe('blockgate check -- guestfish (CLI)', () => {
  const BIN = resolve('bin/blockgate');
  it('nbd+unix:// is a file name to libguestfs', async () => {
    const r = await execa(
      BIN,
      ['check', '--profile', 'debian-12', '--', 'guestfish', '--ro', '-a', 'nbd+unix:///?socket=/x.sock'],
      { reject: false, env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      '  guestfish would print:\n    guestfish: access: nbd+unix:///?socket=/x.sock: No such file or directory\n',
    );
    expect(r.stdout).toContain('libguestfs-uri-not-recognized');
  });

  it('the nbd socket with --format opens on rhel-9 with the direct backend (exit 0)', async () => {
    const r = await execa(
      BIN,
      [
        'check',
        '--profile',
        'rhel-9',
        '--json',
        '--',
        'guestfish',
        '--ro',
        '--format=raw',
        '-a',
        `nbd:///?socket=${socket}`,
      ],
      { reject: false, env: { ...process.env, LIBGUESTFS_BACKEND: 'direct' } },
    );
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).verdict).toBe('opens');
  });

  it('-d GUEST is bad input (exit 2, one line)', async () => {
    const r = await execa(BIN, ['check', '--profile', 'rhel-9', '--', 'virt-inspector', '-d', 'guest'], {
      reject: false,
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split('\n')).toHaveLength(1);
  });
});

it('the test disks exist', () => expect(existsSync(join(dir, 'disk.vpc'))).toBe(true));
