import { beforeAll, describe, it } from 'vitest';
import { resolve } from 'node:path';
import type { Profile } from '../../src/model/profile.js';
import { loadProfile } from '../../src/host/profiles.js';
import { oracle, type Oracle, type OracleName } from '../support/oracles.js';
import { FORMATS, compare, expectAgreement, makeImages } from '../support/compare.js';
import { inspectBinaries } from '../../src/host/inspect.js';

async function inspected(o: Oracle): Promise<Profile> {
  return (
    await inspectBinaries({
      qemu: [o.qemu],
      qemuImg: o.qemuImg,
      ...(o.moduleDir ? { moduleDir: o.moduleDir } : {}),
      env: o.env,
    })
  ).profile;
}

/** Each real build next to the profile that describes it: written by hand, and as `blockgate inspect` reads it. */
const BUILDS: { name: OracleName; profile: string | 'inspect' }[] = [
  { name: 'rhel9', profile: 'test/fixtures/profiles/oracle-rhel9.yaml' },
  { name: 'rhel7', profile: 'test/fixtures/profiles/oracle-rhel7.yaml' },
  { name: 'debian', profile: 'debian-12' },
  { name: 'rhel9', profile: 'inspect' },
  { name: 'rhel7', profile: 'inspect' },
  { name: 'debian', profile: 'inspect' },
];

const DEVICES: Record<string, string[]> = {
  none: [],
  'virtio-blk': ['-device', 'virtio-blk-pci,drive=d0'],
  'ide-hd': ['-device', 'ide-hd,drive=d0,bus=ide.0'],
};

/** drivers x rw/ro x -drive/-blockdev x device */
function matrix(): [string, string[]][] {
  const out: [string, string[]][] = [];
  for (const fmt of FORMATS) {
    for (const ro of [false, true]) {
      for (const [device, deviceArgs] of Object.entries(DEVICES)) {
        const access = ro ? 'ro' : 'rw';
        out.push([
          `-drive ${fmt} ${access} ${device}`,
          ['-drive', `file=t.${fmt},format=${fmt},if=none,id=d0${ro ? ',readonly=on' : ''}`, ...deviceArgs],
        ]);
        out.push([
          `-blockdev ${fmt} ${access} ${device}`,
          [
            '-blockdev',
            `driver=${fmt},node-name=d0,file.driver=file,file.filename=t.${fmt}${ro ? ',read-only=on' : ''}`,
            ...deviceArgs,
          ],
        ]);
      }
    }
  }
  return out;
}

const SCENARIOS: [string, string[]][] = [
  ['-blockdev JSON', ['-blockdev', '{"driver":"vdi","node-name":"a","file":{"driver":"file","filename":"t.vdi"}}']],
  ['-drive driver= with dotted file', ['-drive', 'driver=vmdk,file.driver=file,file.filename=t.vmdk,if=none,id=d0']],
  [
    'auto-read-only=on under -blockdev',
    ['-blockdev', 'driver=vpc,node-name=d0,auto-read-only=on,file.driver=file,file.filename=t.vpc'],
  ],
  ['default if=ide', ['-drive', 'file=t.vmdk,format=vmdk']],
  ['default if=ide read-only', ['-drive', 'file=t.qcow2,format=qcow2,readonly=on']],
  ['-hda', ['-hda', 't.vhdx']],
  ['-cdrom', ['-cdrom', 't.vmdk']],
  ['if=virtio', ['-drive', 'file=t.vpc,format=vpc,if=virtio']],
  ['if=floppy', ['-drive', 'file=t.vmdk,format=vmdk,if=floppy']],
  ['ide-cd', ['-drive', 'file=t.vmdk,format=vmdk,if=none,id=d0', '-device', 'ide-cd,drive=d0,bus=ide.1']],
  [
    'scsi-hd',
    ['-drive', 'file=t.vmdk,format=vmdk,if=none,id=d0', '-device', 'virtio-scsi-pci', '-device', 'scsi-hd,drive=d0'],
  ],
  ['usb-storage', ['-drive', 'file=t.vpc,format=vpc,if=none,id=d0', '-usb', '-device', 'usb-storage,drive=d0']],
  ['probed vpc', ['-drive', 'file=t.vpc,if=none,id=d0']],
  ['probed qcow', ['-drive', 'file=t.qcow,if=none,id=d0']],
  ['probed raw warns', ['-drive', 'file=disk.img,if=none,id=d0']],
  ['probed raw read-only does not warn', ['-drive', 'file=disk.img,if=none,id=d0,readonly=on']],
  ['missing file', ['-drive', 'file=nosuch.qcow2,format=qcow2,if=none']],
  ['qcow2 over vmdk', ['-drive', 'file=ov-vmdk.qcow2,format=qcow2,if=none,id=d0']],
  [
    'qcow2 over vmdk, -blockdev',
    ['-blockdev', 'driver=qcow2,node-name=d0,file.driver=file,file.filename=ov-vmdk.qcow2'],
  ],
  ['qcow2 over qcow', ['-drive', 'file=ov-qcow.qcow2,format=qcow2,if=none,id=d0']],
  [
    'json: top (commas doubled inside -drive)',
    ['-drive', 'file=json:{"driver":"vmdk",,"file":{"driver":"file",,"filename":"t.vmdk"}},if=none,id=d0'],
  ],
  [
    'json: top as a tool argument form',
    ['-blockdev', 'driver=qcow2,node-name=d0,file.driver=file,file.filename=ov-vmdk.qcow2,backing=null'],
  ],
  [
    'json: forcing read-write',
    [
      '-blockdev',
      'driver=qcow2,node-name=d0,file.driver=file,file.filename=t.qcow2,backing.driver=vmdk,backing.read-only=off,backing.file.driver=file,backing.file.filename=t.vmdk',
    ],
  ],
  ['snapshot=on on vmdk', ['-drive', 'file=t.vmdk,format=vmdk,if=none,id=d0,snapshot=on']],
  ['snapshot=on on qcow', ['-drive', 'file=t.qcow,format=qcow,if=none,id=d0,snapshot=on']],
  ['-snapshot on ide-hd', ['-snapshot', '-drive', 'file=t.vmdk,format=vmdk']],
  ['https URL', ['-drive', 'file=https://127.0.0.1:1/x,format=raw,if=none,id=d0']],
  ['https -blockdev rw', ['-blockdev', 'driver=https,node-name=b,url=https://127.0.0.1:1/x']],
  ['https -blockdev ro', ['-blockdev', 'driver=https,node-name=b,url=https://127.0.0.1:1/x,read-only=on']],
  ['http URL', ['-drive', 'file=http://127.0.0.1:1/x,format=raw,if=none,id=d0,readonly=on']],
  ['ssh URL read-only', ['-drive', 'file=ssh://127.0.0.1:1/x,format=raw,if=none,id=d0,readonly=on']],
  ['nbd URL', ['-drive', 'file=nbd://127.0.0.1:1/x,format=raw,if=none,id=d0']],
  ['null-co', ['-blockdev', 'driver=null-co,node-name=n,size=1048576']],
  ['null-aio read-only', ['-blockdev', 'driver=null-aio,node-name=n,read-only=on']],
  ['host device', ['-drive', 'file=/dev/null,format=raw,if=none,id=d0,readonly=on']],
  ['vvfat', ['-drive', 'file=fat:fatdir,format=raw,if=none,id=d0,readonly=on']],
  ['unknown protocol', ['-drive', 'file=foo://127.0.0.1/x,format=raw,if=none']],
  ['-blockdev naming a driver QAPI does not know', ['-blockdev', 'driver=foo,node-name=a']],
  [
    '-blockdev naming a removed driver (sheepdog), as JSON',
    [
      '-blockdev',
      '{"driver":"sheepdog","node-name":"a","server":{"type":"inet","host":"127.0.0.1","port":"7000"},"vdi":"x"}',
    ],
  ],
  [
    '-blockdev with an unknown driver nested, after a failing -drive',
    [
      '-drive',
      'file=nosuch.qcow2,format=qcow2,if=none',
      '-blockdev',
      'driver=qcow2,node-name=a,file.driver=foo,file.filename=t.qcow2',
    ],
  ],
  [
    'two drives, second fails',
    ['-drive', 'file=t.qcow2,format=qcow2,if=none,id=a', '-drive', 'file=t.qcow,format=qcow,if=none,id=b'],
  ],
];

for (const build of BUILDS) {
  describe(
    `prediction vs real qemu-system: ${build.name} ` +
      `(${build.profile === 'inspect' ? 'inspected profile' : build.profile})`,
    () => {
      let o: Oracle;
      let profile: Profile;
      let dir: string;
      beforeAll(async () => {
        o = oracle(build.name);
        profile = build.profile === 'inspect' ? await inspected(o) : await loadProfile(build.profile);
        dir = makeImages(o);
      });
      for (const [name, args] of [...matrix(), ...SCENARIOS]) {
        it(name, async () => expectAgreement(await compare(o, profile, dir, args)));
      }
    },
  );
}

for (const source of [
  'debian-12 with block-ssh.so not installed',
  'inspected with the module dir missing block-ssh.so',
])
  describe(`prediction vs real qemu-system: debian without block-ssh.so (${source})`, () => {
    const wrapper = resolve('scripts/with-missing-module.sh');
    let o: Oracle;
    let profile: Profile;
    let dir: string;
    beforeAll(async () => {
      o = oracle('debian');
      if (source.startsWith('inspected')) {
        // QEMU searches QEMU_MODULE_DIR before the configured dir; the oracle's env points it at the real one.
        const { QEMU_MODULE_DIR: _system, ...env } = o.env;
        profile = (
          await inspectBinaries({
            qemu: [o.qemu],
            qemuImg: o.qemuImg,
            moduleDir: o.manifest.modulesWithoutSsh ?? '',
            env,
          })
        ).profile;
      } else {
        const base = await loadProfile('debian-12');
        const modules = base.qemu.modules.map((m) => (m.file === 'block-ssh.so' ? { ...m, installed: false } : m));
        profile = { ...base, qemu: { ...base.qemu, modules } };
      }
      dir = makeImages(o);
    });
    const cases: [string, string[]][] = [
      ['URL form', ['-drive', 'file=ssh://127.0.0.1/x,format=raw,if=none']],
      // server.port is required by the QAPI schema, which QEMU checks before it looks the driver up.
      ['driver= form', ['-blockdev', 'driver=ssh,node-name=s,server.host=127.0.0.1,server.port=1,path=/x']],
      ['other modules still load', ['-drive', 'file=https://127.0.0.1:1/x,format=raw,if=none,readonly=on']],
    ];
    for (const [name, args] of cases) {
      it(name, async () => {
        const modules = o.manifest.modulesWithoutSsh ?? '';
        expectAgreement(await compare(o, profile, dir, args, wrapper, [modules, '--', o.qemu]));
      });
    }
  });
