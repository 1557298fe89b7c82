import type { QemuFacts } from '../model/profile.js';
import type { BlockNode } from '../model/node.js';
import { qemuFeatures } from '../qemu/features.js';

/**
 * QEMU's own error texts, exactly as the real program prints them, by version.
 * Sources: qemu block.c, blockdev.c, raw-format.c at the tags named (docs/research/qemu-messages-by-version.md).
 */
export const qemuText = {
  notWhitelisted: (driver: string) => `Driver '${driver}' is not whitelisted`,
  readOnlyOnly: (driver: string) => `Driver '${driver}' can only be used for read-only devices`,
  unknownDriver: (driver: string) => `Unknown driver '${driver}'`,
  /** Before 2.3 the protocol was not named. */
  unknownProtocol: (prefix?: string) => (prefix === undefined ? 'Unknown protocol' : `Unknown protocol '${prefix}'`),
  /** Before 2.3, -drive format= with an unknown name. */
  invalidFormat: (driver: string) => `'${driver}' invalid format`,
  noSuchFile: (filename: string) => `Could not open '${filename}': No such file or directory`,
  backing: (inner: string) => `Could not open backing file: ${inner}`,
  blockNodeReadOnly: 'Block node is read-only',
};

/**
 * Debian 7.2's note-missing-module-pkg-name.diff prints this before QEMU's own error, with a literal "qemu: " and
 * "block-" twice (module_name already holds the prefix). Debian 10.x words it differently and loses the error;
 * no bundled profile has that build yet (docs/research/qemu-messages-by-version.md row 17).
 */
export function debianModuleHint(module: string, pkg: string): string {
  return `qemu: module block-${module.replace(/\.so$/, '')} not found, do you want to install ${pkg} package?`;
}

/** raw-format.c raw_open: printed for a probed raw node opened read-write, with no program prefix. */
export function rawProbeWarning(filename: string): string[] {
  return [
    `WARNING: Image format was not specified for '${filename}' and probing guessed raw.`,
    '         Automatically detecting the format is dangerous for raw images, write operations ' +
      'on block 0 will be restricted.',
    "         Specify the 'raw' format explicitly to remove the restrictions.",
  ];
}

/** Wraps a node's error in the prefixes its place in the graph adds: one "Could not open backing file: " per backing level. */
export function nestedText(path: BlockNode[], text: string): string {
  return path.reduceRight((inner, node) => (node.childRole === 'backing' ? qemuText.backing(inner) : inner), text);
}

/** The whole stderr line of the hypervisor: `program: location: text`; before 2.3 -drive added "could not open disk image FILE: ". */
export function systemErrorLine(
  qemu: QemuFacts,
  program: string,
  location: string,
  file: string | undefined,
  text: string,
): string {
  if (qemuFeatures(qemu).openDiskImagePrefix && file !== undefined) {
    return `${program}: ${location}: could not open disk image ${file}: ${text}`;
  }
  return `${program}: ${location}: ${text}`;
}

/**
 * A device that needs to write, on a read-only node. Machine-created devices (-drive if=ide) report with no
 * option location; 2.9 to 5.0 prefixed "Initialization of device X failed: ", and before the permission system
 * (2.9) IDE printed three lines of its own (docs/research/qemu-messages-by-version.md §C.8).
 */
export function readOnlyDeviceLines(
  qemu: QemuFacts,
  program: string,
  device: string,
  location: string | undefined,
): string[] {
  const at = location === undefined ? '' : `${location}: `;
  // hw/sd/sd.c sd_realize checks the backend itself before asking for write permission.
  if (device === 'sd') return [`${program}: ${at}Cannot use read-only drive as SD card`];
  const f = qemuFeatures(qemu);
  if (!f.permissionErrors) {
    const last =
      location === undefined
        ? `Initialization of device ${device} failed`
        : `Device '${device}' could not be initialized`;
    return [
      `${program}: ${at}Can't use a read-only drive`,
      `${program}: ${at}Device initialization failed.`,
      `${program}: ${at}${last}`,
    ];
  }
  if (location === undefined && f.implicitDevicePrefix)
    return [`${program}: Initialization of device ${device} failed: ${qemuText.blockNodeReadOnly}`];
  return [`${program}: ${at}${qemuText.blockNodeReadOnly}`];
}
