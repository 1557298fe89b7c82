/**
 * Every message the engine predicts explains back to the code that produced it: predict with the engine, explain
 * the lines it would print, get the same code. Messages of every QEMU version blockgate models (rhel-7 is 1.5.3).
 */
import { describe, expect, it } from 'vitest';
import type { ImageFacts } from '../../src/model/image.js';
import type { Profile } from '../../src/model/profile.js';
import { bundledProfiles } from '../../src/host/profiles.js';
import { planCommand } from '../../src/plan/plan.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { explain } from '../../src/explain/explain.js';
import { QEMU_CODES } from '../../src/findings/finding.js';
import { image } from '../support/scenario.js';

function profile(name: string, change: (p: Profile) => Profile = (p) => p): Profile {
  const p = bundledProfiles()[name];
  if (!p) throw new Error(`no bundled profile ${name}`);
  return change(p);
}

const withoutSsh = (p: Profile): Profile => ({
  ...p,
  qemu: { ...p.qemu, modules: p.qemu.modules.map((m) => (m.file === 'block-ssh.so' ? { ...m, installed: false } : m)) },
});

const FILES: ImageFacts[] = [
  image('t.qcow', 'qcow'),
  image('t.vmdk', 'vmdk'),
  image('t.vpc', 'vpc'),
  image('t.qcow2', 'qcow2'),
  image('disk.img', 'raw'),
  {
    filename: 'locked.qcow2',
    exists: true,
    kind: 'file',
    size: 1 << 20,
    error: 'Permission denied',
    probes: [],
  } as ImageFacts,
];

/** [what, profile, command, the code the engine decides with] */
const CASES: [string, Profile, string, string][] = [
  [
    'not whitelisted',
    profile('rhel-7-rhev'),
    'qemu-kvm -drive file=t.qcow,format=qcow,if=none',
    'driver-not-whitelisted',
  ],
  [
    'not whitelisted, 1.5.3 wrapper',
    profile('rhel-7'),
    'qemu-kvm -drive file=t.qcow2,format=qed,if=none',
    'driver-not-whitelisted',
  ],
  [
    'read-only only, -blockdev',
    profile('rhel-9'),
    'qemu-kvm -blockdev driver=vmdk,node-name=a,file.driver=file,file.filename=t.vmdk',
    'driver-read-only-only',
  ],
  ['read-only only, 1.5.3 wrapper', profile('rhel-7'), 'qemu-kvm -drive file=t.vpc', 'driver-read-only-only'],
  ['not built, format', profile('rhel-9'), 'qemu-kvm -drive file=t.qcow2,format=qed,if=none', 'driver-not-built'],
  ['not built, protocol', profile('rhel-9'), 'qemu-kvm -drive file=ssh://h/x,format=raw,if=none', 'driver-not-built'],
  [
    'not built, 1.5.3 invalid format',
    profile('rhel-7'),
    'qemu-kvm -drive file=t.qcow2,format=luks,if=none',
    'driver-not-built',
  ],
  [
    'module missing, protocol',
    profile('debian-12', withoutSsh),
    'qemu-system-x86_64 -drive file=ssh://h/x,format=raw,if=none',
    'module-not-installed',
  ],
  [
    'module missing, driver',
    profile('debian-12', withoutSsh),
    'qemu-system-x86_64 -blockdev driver=ssh,node-name=s,server.host=h,server.port=22,path=/x',
    'module-not-installed',
  ],
  ['module missing, qemu-img', profile('debian-12', withoutSsh), 'qemu-img info ssh://h/x', 'module-not-installed'],
  ['unknown protocol', profile('rhel-9'), 'qemu-kvm -drive file=foo://h/x,format=raw,if=none', 'protocol-unknown'],
  [
    'unknown protocol, 1.5.3 unnamed',
    profile('rhel-7'),
    'qemu-kvm -drive file=foo://h/x,format=raw,if=none',
    'protocol-unknown',
  ],
  [
    'cannot write',
    profile('debian-12'),
    'qemu-system-x86_64 -blockdev driver=https,node-name=b,url=https://h/x',
    'driver-read-only-by-nature',
  ],
  ['file not found', profile('rhel-9'), 'qemu-kvm -drive file=nosuch.qcow2,format=qcow2,if=none', 'file-not-found'],
  ['file not found, qemu-img', profile('debian-12'), 'qemu-img info nosuch.qcow2', 'file-not-found'],
  ['file not found, qemu-io', profile('debian-12'), 'qemu-io nosuch.qcow2', 'file-not-found'],
  ['file not found, qemu-nbd', profile('debian-12'), 'qemu-nbd nosuch.qcow2', 'file-not-found'],
  [
    'file not found, 1.5.3',
    profile('rhel-7'),
    'qemu-kvm -drive file=nosuch.qcow2,format=qcow2,if=none',
    'file-not-found',
  ],
  [
    'file unreadable',
    profile('debian-12'),
    'qemu-system-x86_64 -drive file=locked.qcow2,format=qcow2,if=none',
    'file-unreadable',
  ],
  [
    'device needs write, implicit ide',
    profile('rhel-9'),
    'qemu-kvm -drive file=t.vmdk,format=vmdk',
    'device-needs-write',
  ],
  [
    'device needs write, -device',
    profile('debian-12'),
    'qemu-system-x86_64 -drive file=t.qcow2,format=qcow2,if=none,id=d,readonly=on -device ide-hd,drive=d',
    'device-needs-write',
  ],
  ['device needs write, 2.12', profile('rhel-7-rhev'), 'qemu-kvm -drive file=t.vmdk,format=vmdk', 'device-needs-write'],
  [
    'device needs write, 1.5.3 triple',
    profile('rhel-7'),
    'qemu-kvm -drive file=t.qcow2,format=qcow2,readonly=on',
    'device-needs-write',
  ],
  ['raw probed', profile('debian-12'), 'qemu-system-x86_64 -drive file=disk.img,if=none', 'raw-probed'],
  [
    'node not found',
    profile('debian-12'),
    'qemu-system-x86_64 -blockdev driver=qcow2,node-name=a,file=nosuch',
    'node-not-found',
  ],
  ['json invalid', profile('debian-12'), 'qemu-img info json:{"driver":', 'json-invalid'],
];

describe('engine messages explain back to their code', () => {
  for (const [what, p, command, code] of CASES) {
    it(`${what}: ${command}`, () => {
      const result = evaluate(
        planCommand(
          command.split(' '),
          p,
          (name) => FILES.find((f) => f.filename === name) ?? { filename: name, exists: false },
        ),
        p,
      );
      expect(result.findings.map((f) => f.code)).toContain(code);
      expect(result.messages.length).toBeGreaterThan(0);
      const explained = explain(result.messages.join('\n'), p, { numbered: false }).explained;
      expect(explained.map((e) => e.code)).toEqual([code]);
      const decided = result.findings.find((f) => f.code === code);
      expect(explained[0]?.layer).toBe(decided?.layer);
    });
  }

  it('covers every QEMU code the engine prints a message for', () => {
    const silent = new Set([
      // findings that print nothing (the program goes on) or come from `image`/`scan`, not from a QEMU message
      'auto-read-only-fallback',
      'format-probed',
      'tools-skip-whitelist',
      'remote-not-checked',
      'image-format-probed',
      'image-format-ambiguous',
      'backing-absolute',
      'backing-outside-folder',
      'backing-device',
      'backing-url',
      'backing-json',
      'backing-format-missing',
      'data-file-absolute',
      'data-file-outside-folder',
      'data-file-device',
      'data-file-url',
      'extent-outside-folder',
      'extent-device',
      'chain-too-deep',
      'header-field-out-of-range',
      'backing-loop',
    ]);
    const covered = new Set(CASES.map((c) => c[3]));
    expect(QEMU_CODES.filter((c) => !silent.has(c) && !covered.has(c))).toEqual([]);
  });
});
