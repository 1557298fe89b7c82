import type { Attachment, DeviceKind } from '../model/node.js';

const DEVICE_KINDS: [RegExp, DeviceKind][] = [
  [/^virtio-blk/, 'virtio-blk'],
  [/^ide-(hd|drive)$/, 'ide-hd'],
  [/^ide-cd$/, 'ide-cd'],
  [/^scsi-(hd|disk|block)$/, 'scsi-hd'],
  [/^scsi-cd$/, 'scsi-cd'],
  [/^usb-storage$/, 'usb-storage'],
  [/^(floppy|isa-fdc)$/, 'floppy'],
  [/^nvme(-ns)?$/, 'nvme'],
  [/^sd-card$/, 'sd'],
];

export function deviceKind(driver: string): DeviceKind {
  return DEVICE_KINDS.find(([re]) => re.test(driver))?.[1] ?? 'other';
}

/** The device the machine creates for `-drive if=...` (hw/ide, hw/scsi, hw/block/virtio-blk, ...). */
export function interfaceDevice(iface: string, cdrom: boolean): Attachment | undefined {
  const origin = `if=${iface}`;
  const kinds: Record<string, DeviceKind> = {
    ide: cdrom ? 'ide-cd' : 'ide-hd',
    scsi: cdrom ? 'scsi-cd' : 'scsi-hd',
    virtio: 'virtio-blk',
    floppy: 'floppy',
    pflash: 'pflash',
    sd: 'sd',
    mtd: 'other',
  };
  const kind = kinds[iface];
  return kind ? { kind, origin, createdByMachine: true } : undefined;
}

/** The machine's default block interface (MachineClass.block_default_type); x86 pc and q35 use IDE. */
export function defaultInterface(machine: string): string {
  if (machine === 'none') return 'none';
  if (/^(virt|s390-ccw|pseries|microvm)/.test(machine)) return 'virtio';
  return 'ide';
}
