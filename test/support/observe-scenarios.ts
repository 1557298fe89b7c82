/**
 * The command lines of the observation matrix (see observe.ts). Not every combination: enough
 * to pin down each rule. Images are relative to the run's cwd (made by makeImages), network
 * endpoints are an unreachable loopback port, since the whitelist is checked before connecting.
 */
export type Target = 'rhel9' | 'rhel7' | 'debian' | 'debian-no-ssh';

export interface Scenario {
  section: string;
  target: Target;
  args: string[];
}

type Options = { [key: string]: string | boolean | Options };

interface DriverCase {
  name: string;
  /** The `file=` of `-drive file=…,format=…`. */
  file: string;
  /** The `format=` for that form: the driver itself, or raw over a protocol. */
  format: string;
  /** The node as -blockdev options (without node-name); -drive driver=… uses the same keys. */
  node: Options;
}

const FORMATS = ['qcow2', 'raw', 'vmdk', 'vpc', 'vhdx', 'vdi', 'qcow', 'qed', 'parallels'];

const DRIVERS: DriverCase[] = [
  ...FORMATS.map((f) => ({
    name: f,
    file: `t.${f}`,
    format: f,
    node: { driver: f, file: { driver: 'file', filename: `t.${f}` } },
  })),
  {
    name: 'https',
    file: 'https://127.0.0.1:1/x',
    format: 'raw',
    node: { driver: 'https', url: 'https://127.0.0.1:1/x' },
  },
  { name: 'http', file: 'http://127.0.0.1:1/x', format: 'raw', node: { driver: 'http', url: 'http://127.0.0.1:1/x' } },
  {
    name: 'ssh',
    file: 'ssh://127.0.0.1:1/x',
    format: 'raw',
    node: { driver: 'ssh', server: { host: '127.0.0.1', port: '1' }, path: '/x' },
  },
  {
    name: 'nbd',
    file: 'nbd://127.0.0.1:1',
    format: 'raw',
    node: { driver: 'nbd', server: { type: 'inet', host: '127.0.0.1', port: '1' } },
  },
  { name: 'null-co', file: 'null-co://', format: 'raw', node: { driver: 'null-co' } },
  { name: 'null-aio', file: 'null-aio://', format: 'raw', node: { driver: 'null-aio' } },
  { name: 'host_device', file: '/dev/null', format: 'raw', node: { driver: 'host_device', filename: '/dev/null' } },
  { name: 'vvfat', file: 'fat:vfat', format: 'raw', node: { driver: 'vvfat', dir: 'vfat' } },
];

function driver(name: string): DriverCase {
  const found = DRIVERS.find((d) => d.name === name);
  if (!found) throw new Error(`no driver case ${name}`);
  return found;
}

/** keyval dotted syntax: {file: {driver: 'file'}} -> file.driver=file. */
function dotted(options: Options, prefix = ''): string[] {
  return Object.entries(options).flatMap(([key, value]) => {
    if (typeof value === 'object') return dotted(value, `${prefix}${key}.`);
    return [`${prefix}${key}=${typeof value === 'boolean' ? (value ? 'on' : 'off') : value}`];
  });
}

type Access = 'rw' | 'ro' | 'aro';
const BLOCKDEV_ACCESS: Record<Access, Options> = { rw: {}, ro: { 'read-only': true }, aro: { 'auto-read-only': true } };

function blockdev(d: DriverCase, access: Access): string[] {
  return ['-blockdev', [...dotted({ ...d.node, 'node-name': 'n0', ...BLOCKDEV_ACCESS[access] })].join(',')];
}

function blockdevJson(d: DriverCase, access: Access): string[] {
  const json = { ...d.node, 'node-name': 'n0', ...BLOCKDEV_ACCESS[access] };
  return ['-blockdev', JSON.stringify(json)];
}

function driveFile(d: DriverCase, extra = ''): string[] {
  return ['-drive', `file=${d.file},format=${d.format},if=none,id=d0${extra}`];
}

function driveDriver(d: DriverCase, extra = ''): string[] {
  return ['-drive', `${dotted(d.node).join(',')},if=none,id=d0${extra}`];
}

/** Guest devices that take `drive=<id>`; the id is d0 (-drive) or n0 (-blockdev). */
function device(kind: string, id: string): string[] {
  switch (kind) {
    case 'virtio-blk-pci':
      return ['-device', `virtio-blk-pci,drive=${id}`];
    case 'ide-hd':
      return ['-device', `ide-hd,drive=${id},bus=ide.0`];
    case 'ide-cd':
      return ['-device', `ide-cd,drive=${id},bus=ide.0`];
    case 'scsi-hd':
      return ['-device', 'virtio-scsi-pci,id=scsi0', '-device', `scsi-hd,drive=${id},bus=scsi0.0`];
    case 'usb-storage':
      return ['-usb', '-device', `usb-storage,drive=${id}`];
    default:
      throw new Error(`no device kind ${kind}`);
  }
}

const DEVICES = ['virtio-blk-pci', 'ide-hd', 'ide-cd', 'scsi-hd', 'usb-storage'];

/** -drive if=none + each device, and the legacy forms that create their own device. */
function attachments(d: DriverCase): string[][] {
  return [
    driveFile(d),
    ...DEVICES.map((kind) => [...driveFile(d), ...device(kind, 'd0')]),
    ['-drive', `file=${d.file},format=${d.format}`],
    ['-drive', `file=${d.file},format=${d.format},if=virtio`],
    ['-drive', `file=${d.file},format=${d.format},if=floppy`],
    ['-cdrom', d.file],
    ['-hda', d.file],
  ];
}

function add(list: Scenario[], section: string, target: Target, args: string[]): void {
  list.push({ section, target, args: ['-M', 'pc', ...args] });
}

export function scenarios(): Scenario[] {
  const list: Scenario[] = [];
  const whitelisted: Target[] = ['rhel9', 'rhel7'];

  let section = '1. Every driver: `-drive file=…,format=…,if=none,id=d0`, rw (default) and `readonly=on`';
  for (const target of [...whitelisted, 'debian' as const]) {
    for (const d of DRIVERS) {
      add(list, section, target, driveFile(d));
      if (target !== 'debian') add(list, section, target, driveFile(d, ',readonly=on'));
    }
  }
  section = '2. Every driver: `-drive driver=…` (dotted options), rw and `readonly=on`';
  for (const target of whitelisted) {
    for (const d of DRIVERS) {
      add(list, section, target, driveDriver(d));
      add(list, section, target, driveDriver(d, ',readonly=on'));
    }
  }
  section = '3. Every driver: `-blockdev` dotted, rw, `read-only=on`, `auto-read-only=on`';
  for (const target of whitelisted) {
    for (const d of DRIVERS) {
      for (const access of ['rw', 'ro', 'aro'] as const) add(list, section, target, blockdev(d, access));
    }
  }
  section = '4. Every driver: `-blockdev` JSON, rw and `"read-only": true`';
  for (const target of whitelisted) {
    for (const d of DRIVERS) {
      for (const access of ['rw', 'ro'] as const) add(list, section, target, blockdevJson(d, access));
    }
  }
  section = '5. ro-listed formats (and rw-listed qcow2) × guest device, through `-drive` (auto-read-only)';
  const attach: [Target, string[]][] = [
    ['rhel9', ['qcow2', 'vdi', 'vmdk', 'vhdx', 'vpc']],
    ['rhel7', ['qcow2', 'vmdk', 'vpc', 'qed']],
  ];
  for (const [target, names] of attach) {
    for (const name of names) for (const args of attachments(driver(name))) add(list, section, target, args);
  }
  section = '6. `-blockdev` (read-only=on / auto-read-only=on) and explicit `-drive readonly=on` × guest device';
  for (const target of whitelisted) {
    for (const kind of DEVICES) {
      add(list, section, target, [...blockdev(driver('vmdk'), 'ro'), ...device(kind, 'n0')]);
      add(list, section, target, [...blockdev(driver('vmdk'), 'aro'), ...device(kind, 'n0')]);
      add(list, section, target, [...driveFile(driver('raw'), ',readonly=on'), ...device(kind, 'd0')]);
    }
  }
  section = '7. Protocols through legacy options and devices';
  for (const target of whitelisted) {
    for (const name of ['https', 'ssh', 'nbd']) {
      const d = driver(name);
      add(list, section, target, ['-cdrom', d.file]);
      add(list, section, target, ['-drive', `file=${d.file},if=none,id=d0`]);
      add(list, section, target, [...driveFile(d), ...device('virtio-blk-pci', 'd0')]);
    }
  }
  section = '8. Backing files, json:, snapshot=on, probing';
  for (const target of [...whitelisted, 'debian' as const]) {
    for (const image of ['ov-qcow.qcow2', 'ov-vmdk.qcow2', 'ov-json.qcow2', 'ov-json-rw.qcow2']) {
      add(list, section, target, ['-drive', `file=${image},format=qcow2,if=none,id=d0`]);
    }
    add(list, section, target, ['-blockdev', 'driver=qcow2,node-name=n0,file.driver=file,file.filename=ov-vmdk.qcow2']);
    add(list, section, target, ['-drive', 'file=t.vmdk,format=vmdk,snapshot=on,if=none,id=d0']);
    add(list, section, target, [
      '-drive',
      'file=t.vmdk,format=vmdk,snapshot=on,if=none,id=d0',
      ...device('ide-hd', 'd0'),
    ]);
    add(list, section, target, ['-drive', 'file=t.qcow,format=qcow,snapshot=on,if=none,id=d0']);
    for (const image of ['t.vpc', 't.raw', 't.qcow', 't.vmdk'])
      add(list, section, target, ['-drive', `file=${image},if=none,id=d0`]);
    add(list, section, target, ['-drive', 'file=t.raw,if=none,id=d0,readonly=on']);
    add(list, section, target, ['-blockdev', 'driver=raw,node-name=n0,file.driver=file,file.filename=t.vpc']);
  }
  section = '9. Missing module: stock Debian with and without block-ssh.so (scripts/with-missing-module.sh)';
  for (const target of ['debian', 'debian-no-ssh'] as const) {
    const ssh = driver('ssh');
    add(list, section, target, ['-drive', `file=${ssh.file},if=none,id=d0`]);
    add(list, section, target, driveFile(ssh));
    add(list, section, target, driveDriver(ssh));
    add(list, section, target, blockdev(ssh, 'rw'));
    add(list, section, target, blockdevJson(ssh, 'rw'));
    add(list, section, target, driveFile(driver('https')));
  }
  return list;
}
