import { describe, expect, it } from 'vitest';
import { mergeFacts } from '../../src/policy/resolve.js';
import { bundledProfiles } from '../../src/host/profiles.js';

describe('extends: merging fact groups', () => {
  const parent = {
    qemu: {
      version: '8.0.0',
      source: 'spec 8.0',
      drivers: { builtin: ['qcow2'], source: 'a' },
      whitelist: { rw: ['qcow2'], ro: ['ssh'], tools: false, source: 'p', unconfirmed: 'parent guess' },
    },
  };
  const child = {
    qemu: { version: '7.2.0', source: 'spec 7.2', whitelist: { rw: ['raw'], ro: [], tools: false, source: 'c' } },
  };
  const merged = mergeFacts(parent, child) as typeof parent;
  it('keeps the groups the child does not name', () => expect(merged.qemu.drivers).toEqual(parent.qemu.drivers));
  it('takes the child scalars', () => expect(merged.qemu.version).toBe('7.2.0'));
  it("replaces a leaf group whole, dropping the parent's unconfirmed note", () =>
    expect(merged.qemu.whitelist).toEqual(child.qemu.whitelist));
});

describe('bundled profiles', () => {
  const profiles = bundledProfiles();
  it('rhel-9.2 inherits drivers and hypervisors from rhel-9 and has its own lists', () => {
    const p = profiles['rhel-9.2'];
    expect(p?.qemu.version).toBe('7.2.0');
    expect(p?.qemu.hypervisors).toContain('/usr/libexec/qemu-kvm');
    expect(p?.qemu.drivers.builtin).toContain('vdi');
    expect(p?.qemu.whitelist.rw).not.toContain('io_uring');
    expect(profiles['rhel-9']?.qemu.whitelist.rw).toContain('io_uring');
  });
  it('rhel-8 still has ssh on the read-only list and rhel-9 does not (ssh left, vdi joined)', () => {
    expect(profiles['rhel-8']?.qemu.whitelist.ro).toContain('ssh');
    expect(profiles['rhel-9']?.qemu.whitelist.ro).not.toContain('ssh');
    expect(profiles['rhel-9']?.qemu.whitelist.ro).toContain('vdi');
  });
  it('upstream, fedora, debian-12 and opensuse have no whitelist', () => {
    for (const name of ['upstream', 'fedora', 'debian-12', 'opensuse']) {
      expect(profiles[name]?.qemu.whitelist.rw).toEqual([]);
      expect(profiles[name]?.qemu.whitelist.ro).toEqual([]);
    }
  });
});
