import type { QemuFacts } from '../model/profile.js';
import type { BlockNode } from '../model/node.js';
import { atLeast } from './version.js';

/**
 * QEMU's own error texts, exactly as the real program prints them, by version.
 * Sources: qemu block.c, blockdev.c, raw-format.c at the tags named (docs/research/qemu-messages-by-version.md).
 */
export const qemuText = {
  notWhitelisted: (driver: string) => `Driver '${driver}' is not whitelisted`,
  readOnlyOnly: (driver: string) => `Driver '${driver}' can only be used for read-only devices`,
  unknownDriver: (driver: string) => `Unknown driver '${driver}'`,
  unknownProtocol: (prefix: string) => `Unknown protocol '${prefix}'`,
  noSuchFile: (filename: string) => `Could not open '${filename}': No such file or directory`,
  backing: (inner: string) => `Could not open backing file: ${inner}`,
  blockNodeReadOnly: 'Block node is read-only',
};

/** Debian's note-missing-module-pkg-name.diff prints this before QEMU's own error. */
export function debianModuleHint(qemu: QemuFacts, module: string, pkg: string): string {
  if (atLeast(qemu.version, '8.0')) {
    return `Unable to load module ${module.replace(/^block-|\.so$/g, '')}. Perhaps you want to install ${pkg} package?`;
  }
  return `qemu: module block-${module.replace(/\.so$/, '')} not found, do you want to install ${pkg} package?`;
}

/** raw-format.c raw_open: printed for a probed raw node opened read-write, with no program prefix. */
export function rawProbeWarning(filename: string): string[] {
  return [
    `WARNING: Image format was not specified for '${filename}' and probing guessed raw.`,
    '         Automatically detecting the format is dangerous for raw images, write operations on block 0 will be restricted.',
    "         Specify the 'raw' format explicitly to remove the restrictions.",
  ];
}

/** Wraps a node's error in the prefixes its place in the graph adds: one "Could not open backing file: " per backing level. */
export function nestedText(path: BlockNode[], text: string): string {
  return path.reduceRight((inner, node) => (node.childRole === 'backing' ? qemuText.backing(inner) : inner), text);
}

/** The whole stderr line of the hypervisor: `program: location: text`; QEMU 1.5 added "could not open disk image FILE: ". */
export function systemErrorLine(qemu: QemuFacts, program: string, location: string, file: string | undefined, text: string): string {
  if (!atLeast(qemu.version, '2.0') && location.startsWith('-drive')) {
    return `${program}: ${location}: could not open disk image ${file ?? ''}: ${text}`;
  }
  return `${program}: ${location}: ${text}`;
}

