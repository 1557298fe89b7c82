import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/model/profile.js';
import type { StackResult } from '../../src/model/stack.js';
import { bundledProfiles } from '../../src/host/profiles.js';
import { planV2v } from '../../src/stack/v2v/plan.js';
import { evaluateStack } from '../../src/engine/stack.js';
import { eraOf } from '../../src/stack/v2v/era.js';
import { InputError } from '../../src/errors.js';
import { image } from '../support/scenario.js';

const VPX =
  'virt-v2v -ic vpx://root@vcenter.example.com/Datacenter/esxi?no_verify=1 guest1 -o local -os /var/tmp -of qcow2';
const XEN = 'virt-v2v -ic xen+ssh://root@xen.example.com guest2 -o local -os /var/tmp -of qcow2';

function profile(name: string, change: (p: Profile) => Profile = (p) => p): Profile {
  const p = bundledProfiles()[name];
  if (!p) throw new Error(`no bundled profile ${name}`);
  return change(structuredClone(p));
}

function v2v(p: Profile, command: string, env: Record<string, string> = {}): StackResult {
  const files = [image('guest.img', 'raw'), image('guest.qcow2', 'qcow2')];
  const facts = (name: string) => files.find((f) => f.filename === name) ?? { filename: name, exists: false };
  return evaluateStack(planV2v(command.split(' '), { profile: p, facts, env }), p);
}

/** Step ids without the libguestfs layer's own add_drive steps (src/stack/libguestfs decides those). */
const ids = (r: StackResult) => r.steps.filter((s) => s.step.program !== 'libguestfs').map((s) => s.step.id);
const codes = (r: StackResult) => r.findings.map((f) => `${f.step}:${f.code}`);
/** The driver and access of every node QEMU opens in a step, depth first. */
function nodes(r: StackResult, step: string): string[] {
  const check = r.steps.find((s) => s.step.id === step)?.check;
  const walk = (n: { driver: string; readOnly: boolean; children: unknown[] }): string[] => [
    `${n.driver}:${n.readOnly ? 'ro' : 'rw'}`,
    ...(n.children as (typeof n)[]).flatMap(walk),
  ];
  return check?.plan.drives.flatMap((d) => walk(d.root)) ?? [];
}

describe('virt-v2v eras', () => {
  it('picks qemu drivers before 1.41.5, nbdkit overlays for 1.42, NBD sockets from the 2.0 rewrite', () => {
    expect(['1.40.2', '1.41.4', '1.41.5', '1.42.0', '1.45.99', '2.2.0', undefined].map(eraOf)).toEqual([
      'qemu-drivers',
      'qemu-drivers',
      'nbdkit-overlay',
      'nbdkit-overlay',
      'nbd-sockets',
      'nbd-sockets',
      'nbd-sockets',
    ]);
  });
});

describe('rhel-7: VMware over https and Xen over ssh work although libguestfs lacks those protocols', () => {
  it(
    'vpx://: the https disk is the read-only backing of a local qcow2 overlay, and https is ' + 'read-only whitelisted',
    () => {
      const r = v2v(profile('rhel-7'), VPX);
      expect(r.verdict).toBe('opens');
      expect(ids(r)).toEqual(['virt-v2v', 'overlay sda', 'appliance', 'copy sda', 'converted guest']);
      expect(nodes(r, 'appliance')).toEqual(['qcow2:rw', 'file:rw', 'raw:ro', 'https:ro']);
      expect(r.steps[1]?.step.qemu?.drives[0]?.location).toBe(
        'json: ' +
          '{"file.driver":"https","file.url":"https://vcenter.example.com/folder/guest1/guest1-flat.vmdk?dcPath=Datacenter&dsName=datastore1","file.timeout":2000,"file.sslverify":"off"}',
      );
      expect(codes(r)).toContain('overlay sda:v2v-remote-behind-overlay');
    },
  );
  it('xen+ssh:// with LIBGUESTFS_BACKEND=direct: ssh read-only behind the overlay', () => {
    const r = v2v(profile('rhel-7'), XEN, { LIBGUESTFS_BACKEND: 'direct' });
    expect(r.verdict).toBe('opens');
    expect(nodes(r, 'appliance')).toEqual(['qcow2:rw', 'file:rw', 'raw:ro', 'ssh:ro']);
  });
  it('xen+ssh:// on the default libvirt backend: virt-v2v 1.40 refuses in its precheck, and says so', () => {
    const r = v2v(profile('rhel-7'), XEN);
    expect(r.verdict).toBe('fails');
    expect(codes(r)).toContain('virt-v2v:v2v-direct-backend-required');
    expect(r.steps[0]?.step.messages).toEqual([
      'virt-v2v: error: because of libvirt bug https://bugzilla.redhat.com/1140166 you must set ' +
        'this environment variable:',
      '',
      'export LIBGUESTFS_BACKEND=direct',
      '',
      'and then rerun the virt-v2v command.',
      '',
      'If reporting bugs, run virt-v2v with debugging enabled and include the complete output:',
      '',
      '  virt-v2v -v -x [...]',
    ]);
  });
  it('the same https node opened read-write would fail: the overlay is what makes it work', () => {
    const r = v2v(
      profile('rhel-7', (p) => ({
        ...p,
        qemu: { ...p.qemu, whitelist: { ...p.qemu.whitelist, ro: ['vmdk', 'vhdx', 'vpc', 'ssh'] } },
      })),
      VPX,
    );
    expect(r.verdict).toBe('fails');
    expect(codes(r)).toContain('appliance:driver-not-whitelisted');
  });
  it(
    '-of vmdk: qemu-img writes it, but rhel-7 qemu-kvm only opens vmdk read-only, so the ' + 'converted guest fails',
    () => {
      const r = v2v(profile('rhel-7'), VPX.replace('-of qcow2', '-of vmdk'));
      expect(r.steps.find((s) => s.step.id === 'copy sda')?.verdict).toBe('opens');
      expect(r.steps.find((s) => s.step.id === 'converted guest')?.verdict).toBe('fails');
      expect(codes(r)).toContain('converted guest:driver-read-only-only');
    },
  );
});

describe('rhel-9: the same sources go through nbdkit, QEMU only sees nbd', () => {
  it('vpx:// is served by nbdkit-curl with the cow filter', () => {
    const r = v2v(profile('rhel-9'), VPX);
    expect(r.verdict).toBe('opens');
    expect(ids(r)).toEqual(['virt-v2v', 'nbdkit curl sda', 'appliance', 'output 0', 'converted guest']);
    expect(nodes(r, 'appliance')).toEqual(['raw:rw', 'nbd:rw']);
    expect(codes(r)).toContain('nbdkit curl sda:v2v-source-over-nbd');
  });
  it('xen+ssh:// by nbdkit-ssh, and the libvirt backend is fine', () => {
    const r = v2v(profile('rhel-9'), XEN);
    expect(r.verdict).toBe('opens');
    expect(nodes(r, 'appliance')).toEqual(['raw:rw', 'nbd:rw']);
  });
  it("without nbdkit-curl-plugin the conversion stops with virt-v2v 2.x's message", () => {
    const r = v2v(
      profile('rhel-9', (p) => ({ ...p, nbdkit: { ...p.nbdkit!, plugins: ['file', 'nbd', 'ssh'] } })),
      VPX,
    );
    expect(r.verdict).toBe('fails');
    expect(codes(r)).toContain('nbdkit curl sda:nbdkit-plugin-missing');
    expect(r.steps[1]?.step.messages?.[0]).toBe('virt-v2v: error: nbdkit-curl-plugin is not installed');
  });
  it('-o glance is patched out of RHEL 9', () => {
    const r = v2v(profile('rhel-9'), 'virt-v2v -i disk guest.img -o glance');
    expect(codes(r)).toContain('virt-v2v:v2v-output-disabled');
    expect(r.steps[0]?.step.messages?.[0]).toBe('virt-v2v: error: unknown -o option: glance');
  });
  it('--qemu-boot is gone from the RHEL 9 argspec', () => {
    const r = v2v(profile('rhel-9'), 'virt-v2v -i disk guest.img -o qemu -os /tmp --qemu-boot');
    expect(r.steps[0]?.step.messages).toEqual([
      "virt-v2v: unrecognized option '--qemu-boot'",
      'Try ‘virt-v2v --help’ or consult virt-v2v(1) for more information.',
    ]);
  });
  it('-of vmdk is refused by 2.x for local outputs', () => {
    const r = v2v(profile('rhel-9'), 'virt-v2v -i disk guest.img -o local -os /tmp -of vmdk');
    expect(r.steps[0]?.step.messages?.[0]).toBe(
      'virt-v2v: error: output mode only supports raw or qcow2 format (format: vmdk)',
    );
  });
});

describe('rhel-8 (1.42): nbdkit serves the remote disk, the overlay backs onto nbd', () => {
  it('vpx://', () => {
    const r = v2v(profile('rhel-8'), VPX);
    expect(ids(r)).toEqual(['virt-v2v', 'nbdkit curl sda', 'overlay sda', 'appliance', 'copy sda', 'converted guest']);
    expect(nodes(r, 'appliance')).toEqual(['qcow2:rw', 'file:rw', 'raw:ro', 'nbd:ro']);
    expect(r.verdict).toBe('opens');
  });
});

describe('-i disk on debian-12 (virt-v2v 2.2)', () => {
  it('raw: nbdkit-file with cow; qcow2 output through qemu-nbd', () => {
    const r = v2v(profile('debian-12'), 'virt-v2v -i disk guest.img -o local -os /out -of qcow2');
    expect(ids(r)).toEqual(['virt-v2v', 'nbdkit file sda', 'appliance', 'output 0', 'converted guest']);
    expect(nodes(r, 'output 0')).toEqual(['qcow2:rw', 'file:rw']);
    expect(r.steps.at(-1)?.step.qemu?.drives[0]?.location).toBe(
      '-drive file=/out/guest-sda,format=qcow2,if=none,id=disk0',
    );
    expect(r.verdict).toBe('opens');
  });
  it('qcow2 input: qemu-nbd serves it under a snapshot', () => {
    const r = v2v(profile('debian-12'), 'virt-v2v -i disk guest.qcow2 -o local -os /out');
    expect(ids(r)).toContain('qemu-nbd sda');
    expect(nodes(r, 'qemu-nbd sda')).toEqual(['qcow2:rw', 'qcow2:ro', 'file:ro', 'file:rw']);
  });
  it('-it vddk: no nbdkit-vddk-plugin in Debian', () => {
    const r = v2v(profile('debian-12'), 'virt-v2v -ic vpx://vc.example.com/DC/esxi -it vddk guest1 -o null');
    expect(codes(r)).toContain('nbdkit vddk sda:nbdkit-plugin-missing');
    expect(r.verdict).toBe('fails');
  });
  it('bad usage is bad input, exit 2', () => {
    expect(() => v2v(profile('debian-12'), 'virt-v2v -i disk')).toThrow(InputError);
    expect(() => v2v(profile('debian-12'), 'virt-v2v --bogus')).toThrow("virt-v2v: unrecognized option '--bogus'");
    expect(() => v2v(profile('debian-12'), 'virt-v2v -i disk x -ic')).toThrow(
      "virt-v2v: option '-ic' requires an argument",
    );
  });
});

describe('the libguestfs layer sees what virt-v2v hands it', () => {
  it('rhel-7 vpx://: a local qcow2 file, which the RHEL protocol patch allows', () => {
    const r = v2v(profile('rhel-7'), VPX);
    const lg = r.steps.filter((s) => s.step.program === 'libguestfs');
    expect(lg.length).toBeGreaterThan(0);
    expect(lg.every((s) => s.verdict === 'opens')).toBe(true);
    expect(lg.map((s) => s.step.summary).join(' ')).toContain('/var/tmp/v2vovl0.qcow2');
  });
  it('rhel-9 xen+ssh://: an nbd socket, which the patch allows too', () => {
    const r = v2v(profile('rhel-9'), XEN);
    const lg = r.steps.filter((s) => s.step.program === 'libguestfs');
    expect(lg.length).toBeGreaterThan(0);
    expect(lg.every((s) => s.verdict === 'opens')).toBe(true);
  });
});

describe('nbdcopy (virt-v2v 2.x copies every disk with it)', () => {
  const DISK = 'virt-v2v -i disk guest.img -o local -os /var/tmp -of qcow2';
  const withNbdcopy =
    (state: 'installed' | 'missing' | undefined) =>
    (p: Profile): Profile => {
      if (p.virtV2v) {
        if (state) p.virtV2v.nbdcopy = state;
        else delete p.virtV2v.nbdcopy;
      }
      return p;
    };

  it('warns on debian-12, whose virt-v2v package does not pull in libnbd-bin', () => {
    const r = v2v(profile('debian-12'), DISK);
    expect(r.verdict).toBe('opens');
    expect(r.findings.filter((f) => f.code === 'v2v-nbdcopy-missing').map((f) => `${f.step}:${f.severity}`)).toEqual([
      'output 0:warning',
    ]);
  });

  it('fails the copy when a host has no nbdcopy, and says nothing when it has one', () => {
    const missing = v2v(profile('debian-12', withNbdcopy('missing')), DISK);
    expect(missing.verdict).toBe('fails');
    expect(codes(missing)).toContain('output 0:v2v-nbdcopy-missing');
    expect(codes(v2v(profile('debian-12', withNbdcopy('installed')), DISK))).not.toContain(
      'output 0:v2v-nbdcopy-missing',
    );
  });

  it('is not asked of virt-v2v 1.x, which copies with qemu-img convert', () => {
    expect(
      codes(
        v2v(
          profile('rhel-7', (p) => withNbdcopy('missing')(p)),
          XEN,
          { LIBGUESTFS_BACKEND: 'direct' },
        ),
      ).some((c) => c.endsWith('v2v-nbdcopy-missing')),
    ).toBe(false);
  });
});
