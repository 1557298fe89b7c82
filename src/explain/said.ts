/**
 * What a message says, before any profile is asked: the kind of refusal and the names it carries.
 * Recognisers produce these; resolve.ts turns them into finding codes for one profile.
 */
export type SaidKind =
  // QEMU (system emulator, qemu-img, qemu-io, qemu-nbd, qemu-storage-daemon)
  | 'read-only-only'
  | 'not-whitelisted'
  | 'unknown-protocol'
  | 'unknown-driver'
  | 'module-hint'
  | 'module-unloadable'
  | 'no-such-file'
  | 'cannot-open'
  | 'device-read-only'
  | 'raw-probed'
  | 'node-not-found'
  | 'json-invalid'
  | 'cannot-write'
  | 'backing-loop'
  | 'backing-format-missing'
  // the layers above QEMU
  | 'libvirt-storage-access'
  | 'libvirt-protocol'
  | 'libvirt-driver-format'
  | 'libvirt-readonly-bus'
  | 'libvirt-json-backing'
  | 'libvirt-chain-loop'
  | 'guestfs-unknown-protocol'
  | 'guestfs-access'
  | 'v2v-access'
  | 'v2v-libvirt-backend'
  | 'v2v-unknown-mode'
  | 'nbdkit-plugin-missing'
  | 'nbdkit-no-such-file';

export interface Said {
  kind: SaidKind;
  /** The program that printed it as it names itself (qemu-kvm, qemu-img, libguestfs, virt-v2v, nbdkit, libvirt); "qemu" when the text alone does not say. */
  program: string;
  /** The names the message carries: driver, protocol, filename, location, device, module, package, ... */
  args: Record<string, string>;
  /** The message as found, from the program's prefix on (timestamps and wrappers of other programs left out). */
  text: string;
}
