/** The plan: what a command line asks QEMU to open, as a graph of block nodes. */
import type { DriverRole } from '../qemu/drivers.js';

export type { DriverRole };

export type Access = 'rw' | 'ro';

/** How the node joins its parent, as QEMU names the child. */
export type ChildRole = 'file' | 'backing' | 'data-file' | 'extent' | 'child' | 'snapshot-base';

export interface BlockNode {
  /** Stable label for reports: the drive id, then child names, e.g. "d0/file". */
  id: string;
  /** QEMU format_name; the name every whitelist check compares. */
  driver: string;
  role: DriverRole;
  /** The name the user wrote that selected the driver: a protocol prefix ("https") or a driver option. */
  selectedBy: 'driver-option' | 'protocol-prefix' | 'filename' | 'probe' | 'header' | 'host-device' | 'default';
  /** For probed formats: how many formats matched the header (more than one is suspicious). */
  probeAlternatives?: string[];
  filename?: string;
  /** The protocol prefix of the filename when it picked the driver ("https" in https://...). */
  protocol?: string;
  /** Requested access before auto-read-only is applied. */
  readOnly: boolean;
  autoReadOnly: boolean;
  childRole?: ChildRole;
  children: BlockNode[];
  /** The node-name of an existing node this child refers to: opened (and judged) by its own -blockdev, not again here. */
  reference?: string;
  /** Set when a file the node names was looked at on this machine. */
  exists?: boolean;
  /** QEMU's text when the format driver refuses the header it reads (the image layer, after the whitelist). */
  headerRefusal?: string;
  /** A problem found while building the node (bad json:, unreadable file), reported as it. */
  planError?: {
    code: 'json-invalid' | 'file-unreadable' | 'backing-loop' | 'node-not-found' | 'driver-not-built';
    text: string;
  };
}

/** A device the drive is attached to: decides what happens to a node that fell back to read-only. */
export type DeviceKind =
  | 'ide-hd'
  | 'ide-cd'
  | 'scsi-hd'
  | 'scsi-cd'
  | 'virtio-blk'
  | 'usb-storage'
  | 'floppy'
  | 'nvme'
  | 'pflash'
  | 'sd'
  | 'other';

export interface Attachment {
  kind: DeviceKind;
  /** The -device argument, or "if=ide" for devices the machine creates from -drive. */
  origin: string;
  /** Devices the machine creates from -drive if=... report errors with no option location. */
  createdByMachine: boolean;
}

/**
 * How the program words an open error for this drive (docs/research/qemu-tools-open-modes.md §6):
 * the hypervisor prefixes the option location, each tool has its own sentence.
 */
export type ErrorStyle =
  | 'system'
  | 'img-open'
  | 'img-create'
  | 'img-new-backing'
  | 'img-chain-element'
  | 'io'
  | 'io-image-opts'
  | 'nbd'
  | 'storage-daemon';

/** One top-level thing the program opens: a -drive, a -blockdev, or an image argument of a tool. */
export interface Drive {
  /** The option as the user wrote it, e.g. "-drive file=t.vpc"; QEMU prefixes errors with it. */
  location: string;
  /** "-drive" (also for -hda, -cdrom and the other shorthands), "-blockdev", a tool's "image" or "target". */
  kind: string;
  id?: string;
  root: BlockNode;
  attachments: Attachment[];
  /** For tools: the drive is the output of convert/create/dd and is created before it is opened. */
  created?: boolean;
  errorStyle: ErrorStyle;
  /** The name an error is about when it is not the drive's own (qemu-img create names the new image). */
  errorSubject?: string;
}

export type ProgramKind = 'hypervisor' | 'tool';

export interface Plan {
  /** Program name as QEMU prints it in messages (basename of argv[0]). */
  program: string;
  kind: ProgramKind;
  /** qemu-img subcommand, when the program is qemu-img. */
  subcommand?: string;
  drives: Drive[];
}
