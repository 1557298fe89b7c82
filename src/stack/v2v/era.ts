import { atLeast } from '../../qemu/version.js';

/**
 * How a virt-v2v version reaches the source disks:
 * - qemu-drivers (< 1.41.5): a local qcow2 overlay whose backing is the source itself, a json: https/ssh URL for
 *   vCenter and Xen (libguestfs v1.40.2 v2v/v2v.ml:288-314 create_overlays), copied with qemu-img convert;
 * - nbdkit-overlay (1.41.5 .. 1.45.89, RHEL 8's 1.42): nbdkit plugins serve remote disks, the overlay's backing is
 *   nbd:unix:SOCK:exportname=/ (libguestfs commits 0977f4b90, 0aa3545e4; virt-v2v rhel-8.8.0 v2v/nbdkit_sources.ml:347);
 * - nbd-sockets (the 2.0 rewrite, 1.45.9x on): every disk is an NBD socket from nbdkit or qemu-nbd, the appliance
 *   adds it as format raw, protocol nbd, and nbdcopy writes the output (virt-v2v 2.2 convert/convert.ml, output/output.ml).
 */
export type Era = 'qemu-drivers' | 'nbdkit-overlay' | 'nbd-sockets';

/** A profile without a version is taken as current virt-v2v. */
export function eraOf(version: string | undefined): Era {
  if (version === undefined || atLeast(version, '1.45.90')) return 'nbd-sockets';
  return atLeast(version, '1.41.5') ? 'nbdkit-overlay' : 'qemu-drivers';
}
