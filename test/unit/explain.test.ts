/** Recorded message texts, by version and program, explained for bundled profiles. */
import { describe, expect, it } from 'vitest';
import { bundledProfiles } from '../../src/host/profiles.js';
import { explain, type Explanation } from '../../src/explain/explain.js';
import type { Profile } from '../../src/model/profile.js';

function profile(name: string): Profile {
  const p = bundledProfiles()[name];
  if (!p) throw new Error(`no bundled profile ${name}`);
  return p;
}

function one(text: string, on = 'rhel-9'): Explanation {
  const { explained, recognised } = explain(text, profile(on), { numbered: false });
  expect(recognised).toEqual([]);
  expect(explained).toHaveLength(1);
  return explained[0] as Explanation;
}

describe('QEMU texts across versions', () => {
  const cases: [string, string, string, Record<string, string>][] = [
    // [text, profile, code, args that must be found]
    [
      "qemu-kvm: -drive file=t.vmdk,format=vmdk,if=none: Driver 'vmdk' can only be used for read-only devices",
      'rhel-9',
      'driver-read-only-only',
      { driver: 'vmdk', location: '-drive file=t.vmdk,format=vmdk,if=none' },
    ],
    // 1.7 - 2.2 and RHEL 7's 1.5.3: the "could not open disk image" wrapper (the README's seed)
    [
      "qemu-kvm: -drive file=test.vpc: could not open disk image test.vpc: Driver 'vpc' can only " +
        'be used for read-only devices',
      'rhel-7',
      'driver-read-only-only',
      { driver: 'vpc', image: 'test.vpc', location: '-drive file=test.vpc' },
    ],
    // 1.6 only (7780d47211)
    [
      "qemu-kvm: -drive file=x.vpc,format=vpc: 'vpc' can be only used as read-only device.",
      'rhel-7',
      'driver-read-only-only',
      { driver: 'vpc' },
    ],
    [
      "qemu-system-x86_64: -drive file=t.qcow,format=qcow,if=none: Driver 'qcow' is not whitelisted",
      'rhel-7-rhev',
      'driver-not-whitelisted',
      { driver: 'qcow' },
    ],
    [
      "qemu-img: Could not open 't.qcow': Driver 'qcow' is not whitelisted",
      'rhel-7-rhev',
      'driver-not-whitelisted',
      { driver: 'qcow', image: 't.qcow' },
    ],
    [
      "qemu-io: can't open device t.vpc: Driver 'vpc' can only be used for read-only devices",
      'rhel-9',
      'driver-read-only-only',
      { image: 't.vpc' },
    ],
    [
      "qemu-nbd: Failed to blk_new_open 't.vpc': Driver 'vpc' can only be used for read-only devices",
      'rhel-9',
      'driver-read-only-only',
      { image: 't.vpc' },
    ],
    [
      "qemu-img: ov.qcow2: Driver 'qcow' is not whitelisted",
      'rhel-7-rhev',
      'driver-not-whitelisted',
      { location: 'ov.qcow2' },
    ],
    [
      "qemu-system-x86_64: -drive file=foo://bar,if=none: Unknown protocol 'foo'",
      'debian-12',
      'protocol-unknown',
      { protocol: 'foo' },
    ],
    // 1.7 - 2.2: the protocol is not named; the file name is
    [
      'qemu-kvm: -drive file=foo://bar: could not open disk image foo://bar: Unknown protocol',
      'rhel-7',
      'protocol-unknown',
      { protocol: 'foo' },
    ],
    [
      "qemu-system-x86_64: -drive file=x,format=nosuch: Unknown driver 'nosuch'",
      'debian-12',
      'driver-not-built',
      { driver: 'nosuch' },
    ],
    [
      "qemu-kvm: -drive file=x,format=nosuch: 'nosuch' invalid format",
      'rhel-7',
      'driver-not-built',
      { driver: 'nosuch' },
    ],
    [
      "qemu-system-x86_64: -blockdev driver=nosuch,node-name=a: Parameter 'driver' does not accept value 'nosuch'",
      'debian-12',
      'driver-not-built',
      { driver: 'nosuch' },
    ],
    ["qemu-img: Unknown file format 'nosuch'", 'rhel-7', 'driver-not-built', { driver: 'nosuch' }],
    [
      "qemu-kvm: -drive file=ssh://h/x,format=raw,if=none: Unknown protocol 'ssh'",
      'rhel-9',
      'driver-not-built',
      { driver: 'ssh' },
    ],
    [
      "qemu-kvm: -drive file=https://h/x,format=raw,if=none: Unknown protocol 'https'",
      'rhel-9',
      'module-not-installed',
      { module: 'block-curl.so', package: 'qemu-kvm-block-curl' },
    ],
    [
      "qemu-system-x86_64: -drive file=nosuch.img,if=none: Could not open 'nosuch.img': No such file or directory",
      'debian-12',
      'file-not-found',
      { filename: 'nosuch.img' },
    ],
    [
      "qemu-img: Could not open 'nosuch.img': Could not open 'nosuch.img': No such file or directory",
      'debian-12',
      'file-not-found',
      { filename: 'nosuch.img', image: 'nosuch.img' },
    ],
    [
      'qemu-system-x86_64: -drive file=ov.qcow2,if=none: Could not open backing file: Could not ' +
        "open 'missing.qcow2': No such file or directory",
      'debian-12',
      'file-not-found',
      { filename: 'missing.qcow2', backing: 'true' },
    ],
    // upstream 1.5.3: strerror only
    [
      'qemu-kvm: -drive file=nosuch.img: could not open disk image nosuch.img: No such file or directory',
      'rhel-7',
      'file-not-found',
      { filename: 'nosuch.img' },
    ],
    [
      "qemu-system-i386: Could not open 'build/main_disk.raw': Permission denied",
      'debian-12',
      'file-unreadable',
      { filename: 'build/main_disk.raw', text: 'Permission denied' },
    ],
    ['qemu-system-x86_64: Block node is read-only', 'debian-12', 'device-needs-write', { device: 'ide-hd' }],
    [
      'qemu-system-x86_64: -device ide-hd,drive=n0: Block node is read-only',
      'debian-12',
      'device-needs-write',
      { device: 'ide-hd', location: '-device ide-hd,drive=n0' },
    ],
    // 2.9 - 5.0
    [
      'qemu-kvm: Initialization of device ide-hd failed: Block node is read-only',
      'rhel-7-rhev',
      'device-needs-write',
      { device: 'ide-hd' },
    ],
    [
      'qemu-system-x86_64: -device sd-card,drive=n0: Cannot use read-only drive as SD card',
      'debian-12',
      'device-needs-write',
      { device: 'sd' },
    ],
    [
      "WARNING: Image format was not specified for 'disk.img' and probing guessed raw.",
      'debian-12',
      'raw-probed',
      { filename: 'disk.img' },
    ],
    [
      'qemu-system-x86_64: -blockdev driver=qcow2,node-name=a,file=nosuch: Cannot find ' +
        "device='nosuch' nor node-name='nosuch'",
      'debian-12',
      'node-not-found',
      { name: 'nosuch' },
    ],
    [
      'qemu-img: Could not open \'json:{"driver":\': Could not parse the JSON options: JSON parse error, premature EOI',
      'debian-12',
      'json-invalid',
      { detail: 'JSON parse error, premature EOI' },
    ],
    [
      'qemu-system-x86_64: -blockdev driver=https,node-name=b,url=https://h/x: curl driver does not support writes',
      'debian-12',
      'driver-read-only-by-nature',
      { driver: 'https' },
    ],
    ["qemu-img: Backing file 'a.qcow2' creates an infinite loop.", 'debian-12', 'backing-loop', { backing: 'a.qcow2' }],
    [
      'qemu-img: ov.qcow2: Backing file specified without backing format',
      'debian-12',
      'backing-format-missing',
      { location: 'ov.qcow2' },
    ],
  ];
  for (const [text, on, code, args] of cases) {
    it(`${on}: ${text}`, () => {
      const e = one(text, on);
      expect(e.code).toBe(code);
      expect(e.args).toMatchObject(args);
    });
  }

  it('names the program, and the program that passed the message on', () => {
    const e = one(
      'error: internal error: process exited while connecting to monitor: ' +
        '2021-04-30T19:42:48.604994Z qemu-system-x86_64: -drive ' +
        'file=/v/crc.qcow2,format=qcow2,if=none,id=drive-virtio-disk0: Could not open backing ' +
        "file: Could not open '/v/base.qcow2': Permission denied",
      'debian-12',
    );
    expect(e).toMatchObject({
      code: 'file-unreadable',
      program: 'qemu-system-x86_64',
      layer: 'file',
      args: { via: 'libvirt', backing: 'true', filename: '/v/base.qcow2' },
    });
    expect(e.text).toBe(
      'qemu-system-x86_64: -drive file=/v/crc.qcow2,format=qcow2,if=none,id=drive-virtio-disk0: ' +
        "Could not open backing file: Could not open '/v/base.qcow2': Permission denied",
    );
  });

  it("folds Debian 10's module hint and the error it lost into one message", () => {
    const e = one(
      [
        'qemu-system-x86_64: -drive file=https://127.0.0.1/x.img,if=none: Unable to load module ' +
          'curl. Perhaps you want to install qemu-block-extra or qemu-block-supplemental package?',
        'qemu-system-x86_64: -drive file=https://127.0.0.1/x.img,if=none: Must specify either driver or file',
      ].join('\n'),
      'debian-12',
    );
    expect(e).toMatchObject({
      code: 'module-not-installed',
      program: 'qemu-system-x86_64',
      args: { module: 'block-curl.so', package: 'qemu-block-extra' },
    });
    expect(e.fixes[0]).toBe('apt-get install qemu-block-extra');
  });

  it('folds the pre-2.9 IDE triple into one message', () => {
    const { explained } = explain(
      [
        "qemu-kvm: Can't use a read-only drive",
        'qemu-kvm: Device initialization failed.',
        'qemu-kvm: Initialization of device ide-hd failed',
      ].join('\n'),
      profile('rhel-7'),
      { numbered: true },
    );
    expect(explained.map((e) => [e.line, e.code])).toEqual([[1, 'device-needs-write']]);
  });
});

describe('the layers above QEMU', () => {
  it('libvirt: backing format not recorded', () => {
    const e = one(
      "error: Requested operation is not valid: format of backing image '/data/base.qcow2' of " +
        "image '/data/top.qcow2' was not specified in the image metadata (See " +
        'https://libvirt.org/kbase/backing_chains.html for troubleshooting)',
    );
    expect(e).toMatchObject({
      code: 'libvirt-backing-format-missing',
      layer: 'libvirt',
      program: 'libvirt',
      args: { backing: '/data/base.qcow2', image: '/data/top.qcow2' },
    });
    expect(e.fixes[0]).toContain("qemu-img rebase -u -b '/data/base.qcow2' -F FORMAT '/data/top.qcow2'");
  });

  it('libvirt: storage file missing', () => {
    expect(
      one(
        "error: Cannot access storage file '/var/lib/libvirt/images/x.qcow2' (as uid:107, " +
          'gid:107): No such file or directory',
      ),
    ).toMatchObject({
      code: 'libvirt-storage-missing',
      layer: 'libvirt',
      args: { path: '/var/lib/libvirt/images/x.qcow2' },
    });
  });

  it('libvirt: protocols', () => {
    expect(
      one("error: unsupported configuration: 'tftp' protocol is not supported with this QEMU binary"),
    ).toMatchObject({ code: 'libvirt-protocol-refused', layer: 'libvirt', args: { protocol: 'tftp' } });
    expect(one('error: internal error: unsupported protocol type foo')).toMatchObject({
      code: 'libvirt-protocol-unknown',
      args: { protocol: 'foo' },
    });
  });

  it('libguestfs: a protocol this build does not accept, with the accepted ones of the profile', () => {
    const e = one('libguestfs: error: unknown protocol ‘ssh’');
    expect(e).toMatchObject({
      code: 'libguestfs-protocol-unknown',
      layer: 'libguestfs',
      program: 'libguestfs',
      args: { protocol: 'ssh', accepted: 'file, nbd, rbd' },
    });
  });

  it('guestfish and virt-v2v: local file missing', () => {
    expect(one('guestfish: access: /nonexistent.img: No such file or directory')).toMatchObject({
      code: 'libguestfs-file-missing',
      layer: 'libguestfs',
      program: 'guestfish',
    });
    expect(
      one(
        'virt-v2v: error: because of libvirt bug https://bugzilla.redhat.com/1140166 you must set ' +
          'this environment variable:',
      ),
    ).toMatchObject({ code: 'v2v-direct-backend-required', layer: 'virt-v2v' });
    expect(
      one(
        "nbdkit: error: cannot open plugin 'vddk': " +
          '/usr/lib64/nbdkit/plugins/nbdkit-vddk-plugin.so: cannot open shared object file: No such ' +
          'file or directory',
      ),
    ).toMatchObject({ code: 'nbdkit-plugin-missing', layer: 'nbdkit', args: { plugin: 'vddk' } });
    expect(one('virt-v2v: error: access: No such file or directory: /nonexistent')).toMatchObject({
      code: 'file-not-found',
      layer: 'virt-v2v',
      args: { filename: '/nonexistent' },
    });
    expect(one('nbdkit: error: realpath: /nonexistent: No such file or directory')).toMatchObject({
      code: 'file-not-found',
      layer: 'nbdkit',
    });
  });
});

describe('fixes made specific by the profile', () => {
  it("rhel-9, vmdk read-write: read-only works, and rhel-9's qemu-img converts it", () => {
    const e = one(
      "qemu-kvm: -drive file=t.vmdk,format=vmdk,if=none,auto-read-only=off: Driver 'vmdk' can " +
        'only be used for read-only devices',
    );
    expect(e.notes).toEqual(["on rhel-9 'vmdk' is on the read-only whitelist only"]);
    expect(e.fixes[0]).toBe('open it read-only: -drive file=t.vmdk,format=vmdk,if=none,auto-read-only=off,readonly=on');
    expect(e.fixes.at(-1)).toBe(
      "convert it; rhel-9's qemu-img does not enforce the whitelist: qemu-img convert -f vmdk -O qcow2 t.vmdk t.qcow2",
    );
    expect(e.docs).toBe('docs/findings/driver-read-only-only.md');
  });

  it('a driver the profile does not build at all is said so', () => {
    const e = one("qemu-kvm: -drive file=t.qed,format=qed,if=none: Unknown driver 'qed'");
    expect(e.code).toBe('driver-not-built');
    expect(e.notes).toEqual(["rhel-9 (QEMU 8.0.0) does not build 'qed' at all, neither compiled in nor as a module"]);
    expect(e.fixes[0]).toContain('qemu-img convert -f qed -O qcow2 t.qed t.qcow2');
  });

  it('a name that is no driver anywhere is a typo', () => {
    expect(one("qemu-kvm: -drive file=x,format=qcwo2: Unknown driver 'qcwo2'").notes[0]).toContain(
      "'qcwo2' is no QEMU driver name",
    );
  });

  it('module missing: the package of the profile, with its installer', () => {
    expect(one("qemu-kvm: -drive file=https://h/x,format=raw,if=none: Unknown protocol 'https'").fixes[0]).toBe(
      'dnf install qemu-kvm-block-curl',
    );
    const debian = one(
      [
        'qemu: module block-block-ssh not found, do you want to install qemu-block-extra package?',
        "qemu-system-x86_64: -drive file=ssh://127.0.0.1/x,if=none: Unknown protocol 'ssh'",
      ].join('\n'),
      'debian-12',
    );
    expect(debian).toMatchObject({
      code: 'module-not-installed',
      program: 'qemu-system-x86_64',
      args: { driver: 'ssh', module: 'block-ssh.so', location: '-drive file=ssh://127.0.0.1/x,if=none' },
    });
    expect(debian.fixes).toEqual(['apt-get install qemu-block-extra']);
  });

  it('not whitelisted protocol: served by nbdkit instead', () => {
    expect(
      one("qemu-kvm: -drive file=ssh://h/x,if=none: Driver 'ssh' is not whitelisted", 'rhel-9.2').fixes[0],
    ).toContain('nbdkit -U /tmp/nbd.sock --readonly ssh');
  });
});

describe('logs', () => {
  it('every message once, in order, with its line number', () => {
    const log = [
      '[   0.0] Setting up the source: -i disk /tmp/t.vmdk',
      "WARNING: Image format was not specified for 'disk.img' and probing guessed raw.",
      '         Automatically detecting the format is dangerous for raw images, write operations ' +
        'on block 0 will be restricted.',
      "         Specify the 'raw' format explicitly to remove the restrictions.",
      'libguestfs: trace: launch',
      '2024-01-01T00:00:00.000000Z qemu-kvm: -drive file=t.vmdk,format=vmdk,if=none: Driver ' +
        "'vmdk' can only be used for read-only devices",
      'unrelated line',
      'libguestfs: error: unknown protocol ‘ssh’',
    ].join('\n');
    const result = explain(log, profile('rhel-9'), { numbered: true });
    expect(result.explained.map((e) => [e.line, e.code])).toEqual([
      [2, 'raw-probed'],
      [6, 'driver-read-only-only'],
      [8, 'libguestfs-protocol-unknown'],
    ]);
    expect(result.explained[0]?.text.split('\n')).toHaveLength(3);
    expect(result.recognised).toEqual([]);
  });

  it('nothing known: nothing explained', () => {
    expect(explain('everything is fine\nreally', profile('rhel-9'), { numbered: true })).toEqual({
      profile: 'rhel-9',
      explained: [],
      recognised: [],
    });
  });
});
