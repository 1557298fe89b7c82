import { describe, expect, it } from 'vitest';
import { check, expectOpen, image } from '../support/scenario.js';
import { bundledProfiles } from '../../src/host/profiles.js';
import { planCommand } from '../../src/plan/plan.js';
import { evaluate } from '../../src/engine/evaluate.js';
import type { Profile } from '../../src/model/profile.js';

const drivers = (profile: string, command: string, files = [image('t.qcow2', 'qcow2'), image('t.vmdk', 'vmdk')]) =>
  check(profile, command, files).drives.map((d) => d.nodes.map((n) => `${n.driver}:${n.requested}`).join(' '));

describe('filenames pick protocol drivers by prefix (the whitelist compares format_name)', () => {
  const cases: [string, string][] = [
    ['https://h/x', 'https'],
    ['http://h/x', 'http'],
    ['ftp://h/x', 'ftp'],
    ['ftps://h/x', 'ftps'],
    ['ssh://h/x', 'ssh'],
    ['nbd://h/x', 'nbd'],
    ['nbd+unix:///x?socket=/s', 'nbd'],
    ['nbd:unix:/s', 'nbd'],
    ['iscsi://h/iqn.x/0', 'iscsi'],
    ['gluster://h/v/x', 'gluster'],
    ['gluster+tcp://h/v/x', 'gluster'],
    ['nfs://h/x', 'nfs'],
    ['rbd:pool/image', 'rbd'],
    ['fat:/srv', 'vvfat'],
    ['file:a:b.img', 'file'],
    ['/dev/sda', 'host_device'],
    ['./a:b.img', 'file'],
  ];
  for (const [filename, driver] of cases) {
    it(`${filename} -> ${driver}`, () =>
      expect(drivers('debian-12', `qemu-system-x86_64 -drive file=${filename},format=raw,if=none`)[0]).toBe(
        `${driver}:rw raw:rw`,
      ));
  }
});

describe('shorthands and access', () => {
  it('-hda is an IDE disk', () =>
    expect(
      check('debian-12', 'qemu-system-x86_64 -hda t.qcow2', [image('t.qcow2', 'qcow2')]).drives[0]?.drive.attachments[0]
        ?.kind,
    ).toBe('ide-hd'));
  it('-cdrom opens read-only', () =>
    expect(drivers('debian-12', 'qemu-system-x86_64 -cdrom t.vmdk')).toEqual(['file:ro vmdk:ro']));
  it('a lone argument is the hda image', () =>
    expect(check('debian-12', 'qemu-system-x86_64 t.qcow2').drives[0]?.drive.location).toBe('t.qcow2'));
  it('backing nodes are read-only, the overlay read-write', () =>
    expect(
      drivers('rhel-9', 'qemu-kvm -drive file=o.qcow2,format=qcow2,if=none', [
        image('o.qcow2', 'qcow2', { backingFile: 't.vmdk', backingFormat: 'vmdk' }),
        image('t.vmdk', 'vmdk'),
      ]),
    ).toEqual(['file:rw qcow2:rw file:ro vmdk:ro']));
  it('vmdk descriptor extents inherit the access of the vmdk', () =>
    expect(
      drivers('debian-12', 'qemu-system-x86_64 -drive file=d.vmdk,format=vmdk,if=none', [
        image('d.vmdk', 'vmdk', {
          createType: 'monolithicFlat',
          extents: [{ access: 'RW', type: 'FLAT', filename: 'd-flat.vmdk' }],
        }),
        image('d-flat.vmdk', 'raw'),
      ]),
    ).toEqual(['file:rw vmdk:rw file:rw']));
  it('a qcow2 data file is opened with the access of the qcow2 node', () =>
    expect(
      drivers('debian-12', 'qemu-system-x86_64 -drive file=t.qcow2,format=qcow2,if=none,readonly=on', [
        image('t.qcow2', 'qcow2', { dataFile: 't.data' }),
        image('t.data', 'raw'),
      ]),
    ).toEqual(['file:ro qcow2:ro file:ro']));
});

describe('qemu-img subcommands: which images open with which access', () => {
  const cases: [string, string[]][] = [
    ['qemu-img info t.vmdk', ['file:ro vmdk:ro']],
    ['qemu-img check t.vmdk', ['file:ro vmdk:ro']],
    ['qemu-img check -r all t.vmdk', ['file:rw vmdk:rw']],
    ['qemu-img convert -f vmdk -O qcow2 t.vmdk out.qcow2', ['file:ro vmdk:ro', 'file:rw qcow2:rw']],
    ['qemu-img create -f vmdk new.vmdk 1M', ['file:rw']],
    ['qemu-img create -f qcow2 -b t.vmdk -F vmdk new.qcow2', ['file:ro vmdk:ro', 'file:rw qcow2:rw']],
    ['qemu-img rebase -b t.vmdk -F vmdk t.qcow2', ['file:rw qcow2:rw', 'file:ro vmdk:ro']],
    ['qemu-img rebase -u -b t.vmdk -F vmdk t.qcow2', ['file:rw qcow2:rw']],
    ['qemu-img commit t.qcow2', ['file:rw qcow2:rw']],
    ['qemu-img resize t.qcow2 2G', ['file:rw qcow2:rw']],
    ['qemu-img snapshot -l t.qcow2', ['file:ro qcow2:ro']],
    ['qemu-img snapshot -c s t.qcow2', ['file:rw qcow2:rw']],
    ['qemu-img amend -o compat=1.1 t.qcow2', ['file:rw qcow2:rw']],
    ['qemu-img map t.qcow2', ['file:ro qcow2:ro']],
    ['qemu-img measure -O qcow2 t.vmdk', ['file:ro vmdk:ro']],
    ['qemu-img measure --size 1G -O qcow2', []],
    ['qemu-img compare t.qcow2 t.vmdk', ['file:ro qcow2:ro', 'file:ro vmdk:ro']],
    ['qemu-img dd -O vpc if=t.vmdk of=o.vpc', ['file:ro vmdk:ro', 'file:rw vpc:rw']],
    ['qemu-io -c quit t.vmdk', ['file:rw vmdk:rw']],
    ['qemu-io -r -c quit t.vmdk', ['file:ro vmdk:ro']],
    ['qemu-nbd -k /s t.vmdk', ['file:rw vmdk:rw']],
    ['qemu-nbd -l snap -k /s t.qcow2', ['file:ro qcow2:ro']],
  ];
  for (const [command, expected] of cases) it(command, () => expect(drivers('rhel-9', command)).toEqual(expected));
});

describe('tools and the whitelist', () => {
  it('qemu-img on rhel-9 opens a vmdk read-write: the tools do not enforce', () =>
    expectOpen('rhel-9', 'qemu-img resize -f vmdk t.vmdk 2G', [image('t.vmdk', 'vmdk')]).toFind(
      'tools-skip-whitelist',
    ));
  it('a build that enforces in the tools refuses it with qemu-img wording', () => {
    const base = bundledProfiles()['rhel-9'] as Profile;
    const enforcing: Profile = { ...base, qemu: { ...base.qemu, whitelist: { ...base.qemu.whitelist, tools: true } } };
    const result = evaluate(
      planCommand(['qemu-img', 'resize', '-f', 'vmdk', 't.vmdk', '2G'], enforcing, () => image('t.vmdk', 'vmdk')),
      enforcing,
    );
    expect(result.messages).toEqual([
      "qemu-img: Could not open 't.vmdk': Driver 'vmdk' can only be used for read-only devices",
    ]);
  });
});

describe('modules', () => {
  const base = bundledProfiles()['debian-12'] as Profile;
  const noSsh: Profile = {
    ...base,
    qemu: {
      ...base.qemu,
      modules: base.qemu.modules.map((m) => (m.file === 'block-ssh.so' ? { ...m, installed: false } : m)),
    },
  };
  const run = (argv: string) =>
    evaluate(
      planCommand(argv.split(' '), noSsh, () => undefined),
      noSsh,
    );
  it("Debian prints its hint before QEMU's Unknown protocol", () =>
    expect(run('qemu-system-x86_64 -drive file=ssh://h/x,format=raw,if=none').messages).toEqual([
      'qemu: module block-block-ssh not found, do you want to install qemu-block-extra package?',
      "qemu-system-x86_64: -drive file=ssh://h/x,format=raw,if=none: Unknown protocol 'ssh'",
    ]));
  it('and before Unknown driver', () =>
    expect(run('qemu-system-x86_64 -blockdev driver=ssh,node-name=s').messages.at(-1)).toBe(
      "qemu-system-x86_64: -blockdev driver=ssh,node-name=s: Unknown driver 'ssh'",
    ));
  it('the finding names the package to install', () =>
    expect(run('qemu-system-x86_64 -drive file=ssh://h/x,format=raw,if=none').findings[0]).toMatchObject({
      code: 'module-not-installed',
      args: { package: 'qemu-block-extra' },
    }));
});

describe('the engine walks the chain under every drive', () => {
  const overlay = (backingFile: string, backingFormat?: string) =>
    image('o.qcow2', 'qcow2', { backingFile, ...(backingFormat ? { backingFormat } : {}) });
  it('an https backing file names the https protocol driver, read-only', () =>
    expect(
      drivers('rhel-9', 'qemu-kvm -drive file=o.qcow2,format=qcow2,if=none', [overlay('https://h/b.img', 'raw')]),
    ).toEqual(['file:rw qcow2:rw https:ro raw:ro']));
  it('a json: backing with an nbd child', () =>
    expect(
      drivers('rhel-9', 'qemu-kvm -drive file=o.qcow2,format=qcow2,if=none', [
        overlay('json:{"driver":"raw","file":{"driver":"nbd","server":{"type":"inet","host":"h","port":"10809"}}}'),
      ]),
    ).toEqual(['file:rw qcow2:rw nbd:ro raw:ro']));
  it('a json: quorum backing opens every child read-only', () =>
    expect(
      drivers('debian-12', 'qemu-system-x86_64 -drive file=o.qcow2,format=qcow2,if=none', [
        overlay(
          'json:{"driver":"quorum","vote-threshold":1,"children":[{"driver":"raw","file":{"driver":"file","filename":"a.img"}}]}',
        ),
        image('a.img', 'raw'),
      ]),
    ).toEqual(['file:rw qcow2:rw quorum:ro file:ro raw:ro']));
  it('an ssh backing on RHEL 7 is on the read-only list: the virt-v2v 1.x overlay opens', () =>
    expectOpen('rhel-7', 'qemu-kvm -drive file=o.qcow2,format=qcow2,if=virtio', [
      overlay('json:{"file.driver":"ssh","file.path":"/d.img","file.host":"h"}', 'raw'),
    ]).toOpen());
  it('an ssh backing on RHEL 9 is not built', () =>
    expectOpen('rhel-9', 'qemu-kvm -drive file=o.qcow2,format=qcow2,if=virtio', [
      overlay('json:{"file.driver":"ssh","file.path":"/d.img","file.host":"h"}', 'raw'),
    ]).toFail(
      "qemu-kvm: -drive file=o.qcow2,format=qcow2,if=virtio: Could not open backing file: Unknown driver 'ssh'",
    ));
});

describe('header names after the CVE-2024-4467 fix (QEMU 7.2.13+)', () => {
  it('a json: data-file name is a literal local path on Debian 7.2.22', () =>
    expectOpen('debian-12', 'qemu-system-x86_64 -drive file=t.qcow2,format=qcow2,if=none', [
      image('t.qcow2', 'qcow2', { dataFile: 'json:{"driver":"nbd"}' }),
    ]).toFail(
      'qemu-system-x86_64: -drive file=t.qcow2,format=qcow2,if=none: Could not open ' +
        '\'json:{"driver":"nbd"}\': No such file or directory',
    ));
  it('before the fix (7.2.0 on RHEL 9.2) it is parsed', () =>
    expect(
      drivers('rhel-9.2', 'qemu-kvm -drive file=t.qcow2,format=qcow2,if=none', [
        image('t.qcow2', 'qcow2', { dataFile: 'nbd://h/x' }),
      ]),
    ).toEqual(['file:rw qcow2:rw nbd:rw']));
});
