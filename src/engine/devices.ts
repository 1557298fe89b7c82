import type { Attachment, DeviceKind, Drive } from '../model/node.js';
import type { Finding } from '../findings/finding.js';
import type { Profile } from '../model/profile.js';
import type { NodeResult } from '../model/result.js';
import { readOnlyDeviceLines } from './messages.js';

/**
 * Devices that ask for write permission whatever the node is: ide-hd (hw/ide/qdev.c passes readonly=false to
 * blkconf_apply_backend_options) and sd-card. The others adapt to a read-only node (virtio-blk, scsi-hd, pflash)
 * or are read-only media (ide-cd, scsi-cd). Observed on a whitelisted 7.2 build.
 */
const NEEDS_WRITE: DeviceKind[] = ['ide-hd', 'sd'];

export interface DeviceFailure {
  attachment: Attachment;
  finding: Finding;
  message: (program: string) => string[];
}

/** A read-only root node on a device that needs to write fails when the device is realized. */
export function judgeAttachments(drive: Drive, results: NodeResult[], profile: Profile): DeviceFailure | undefined {
  const root = results.find((r) => r.id === drive.root.id);
  if (root?.access !== 'ro') return undefined;
  const attachment = drive.attachments.find((a) => NEEDS_WRITE.includes(a.kind));
  if (!attachment) return undefined;
  const fellBack = root.requested === 'rw';
  return {
    attachment,
    finding: {
      code: 'device-needs-write',
      severity: 'error',
      layer: 'device',
      node: root.id,
      args: { device: attachment.kind, origin: attachment.origin, driver: root.driver, fellBack: String(fellBack) },
    },
    // Devices the machine creates from -drive if=ide are realized after the -drive location is gone.
    message: (program) =>
      readOnlyDeviceLines(
        profile.qemu,
        program,
        attachment.kind,
        attachment.createdByMachine ? undefined : attachment.origin,
      ),
  };
}
