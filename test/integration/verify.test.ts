import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { oracle } from '../support/oracles.js';
import { makeImages } from '../support/compare.js';

const BIN = resolve('bin/blockgate');

function verify(profile: string, oracleName: 'rhel9' | 'debian', args: string[]) {
  const o = oracle(oracleName);
  const cwd = makeImages(o);
  const r = spawnSync(BIN, ['verify', '--profile', profile, '--json', '-C', cwd, '--', o.qemu, '-M', 'pc', ...args], {
    encoding: 'utf8',
    env: { ...o.env, NO_COLOR: '1' },
  });
  return { status: r.status, out: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

const PROFILE_RHEL9 = resolve('test/fixtures/profiles/oracle-rhel9.yaml');

describe('blockgate verify', () => {
  it('agrees with the real rhel9 build on its own profile (silent read-only fallback)', () => {
    const r = verify(PROFILE_RHEL9, 'rhel9', [
      '-drive',
      'file=t.vmdk,format=vmdk,if=none,id=d0',
      '-device',
      'virtio-blk-pci,drive=d0',
    ]);
    expect(r.status).toBe(0);
    expect(r.out.agree).toBe(true);
    expect(
      r.out.real.nodes.map((n: { driver: string; readOnly: boolean }) => `${n.driver}:${n.readOnly}`).sort(),
    ).toEqual(['file:false', 'vmdk:true']);
    expect(r.out.real.trace.some((t: string) => t.includes('format_name "vmdk"'))).toBe(true);
  });
  it('agrees on a refusal, stderr word for word', () => {
    const r = verify(PROFILE_RHEL9, 'rhel9', [
      '-blockdev',
      'driver=vdi,node-name=a,file.driver=file,file.filename=t.vdi',
    ]);
    expect(r.status).toBe(0);
    expect(r.out.predicted.messages).toEqual([r.out.real.stderr.trimEnd()]);
  });
  it('catches a deliberately wrong profile: debian-12 facts against the whitelisted build', () => {
    const r = verify('debian-12', 'rhel9', ['-drive', 'file=t.vmdk,format=vmdk,if=none,id=d0']);
    expect(r.status).toBe(1);
    expect(r.out.agree).toBe(false);
    expect(r.out.differences.join('\n')).toMatch(
      /opened nodes differ: predicted file:rw vmdk:rw, real file:rw vmdk:ro/,
    );
  });
  it('catches the opposite mistake: rhel9 facts against stock Debian', () => {
    const r = verify(PROFILE_RHEL9, 'debian', [
      '-blockdev',
      'driver=vdi,node-name=a,file.driver=file,file.filename=t.vdi',
    ]);
    expect(r.status).toBe(1);
    expect(r.out.differences.join('\n')).toMatch(/predicted fails, but QEMU started/);
  });
  it('refuses tools, which may write to images', () => {
    const r = spawnSync(BIN, ['verify', '-p', 'debian-12', '--', 'qemu-img', 'resize', 'x.qcow2', '1G'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^blockgate: verify runs qemu-system-\* or qemu-kvm only/);
  });
});
