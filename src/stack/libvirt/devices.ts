import type { DeviceKind } from '../../model/node.js';
import type { DiskDef } from './domain.js';

/** virDiskNameToIndex (virutil.c): vda -> 0, sdb -> 1, hdaa -> 26. */
export function diskIndex(target: string): number {
  const letters = /^(?:xvd|ubd|hd|sd|vd|fd)([a-z]+)/.exec(target)?.[1] ?? 'a';
  let index = 0;
  for (const c of letters) index = index * 26 + (c.charCodeAt(0) - 96);
  return index - 1;
}

/** virDomainDiskInsert: a disk goes before the first disk of its bus with a higher index, else after the last of its bus. */
export function libvirtDiskOrder(disks: DiskDef[]): DiskDef[] {
  const out: DiskDef[] = [];
  for (const disk of disks) {
    let insertAt = -1;
    for (let i = out.length - 1; i >= 0; i--) {
      const other = out[i];
      if (other?.bus !== disk.bus) continue;
      if (diskIndex(other.target) > diskIndex(disk.target)) insertAt = i;
      else if (insertAt === -1) insertAt = i + 1;
    }
    out.splice(insertAt === -1 ? out.length : insertAt, 0, disk);
  }
  return out;
}

/** The device alias libvirt gives a disk (qemu_alias.c qemuAssignDeviceDiskAlias, default addresses). */
export function diskAlias(disk: DiskDef): string {
  const i = diskIndex(disk.target);
  switch (disk.bus) {
    case 'virtio':
      return `virtio-disk${i}`;
    case 'ide':
      return `ide0-${Math.floor(i / 2)}-${i % 2}`;
    case 'sata':
      return `sata0-0-${i}`;
    case 'scsi':
      return `scsi0-0-0-${i}`;
    case 'fdc':
      return `fdc0-0-${i}`;
    case 'usb':
      return `usb-disk${i}`;
    default:
      return `${disk.bus}-disk${i}`;
  }
}

/** The QEMU device a disk becomes (qemu_command.c qemuBuildDiskDeviceProps). */
export function deviceDriver(disk: DiskDef): { driver: string; kind: DeviceKind } {
  const cd = disk.device === 'cdrom';
  switch (disk.bus) {
    case 'virtio':
      return { driver: 'virtio-blk-pci', kind: 'virtio-blk' };
    case 'ide':
    case 'sata':
      return cd ? { driver: 'ide-cd', kind: 'ide-cd' } : { driver: 'ide-hd', kind: 'ide-hd' };
    case 'scsi':
      return cd ? { driver: 'scsi-cd', kind: 'scsi-cd' } : { driver: 'scsi-hd', kind: 'scsi-hd' };
    case 'fdc':
      return { driver: 'floppy', kind: 'floppy' };
    case 'usb':
      return { driver: 'usb-storage', kind: 'usb-storage' };
    case 'sd':
      return { driver: 'sd-card', kind: 'sd' };
    default:
      return { driver: disk.bus, kind: 'other' };
  }
}
