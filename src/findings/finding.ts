import { LIBVIRT_CODES } from './libvirt-codes.js';
import { LIBGUESTFS_CODES } from './libguestfs-codes.js';
import { V2V_CODES } from './v2v-codes.js';

/** Findings are data: a stable code, a severity and arguments. All wording lives in ./catalog.ts. */

export type Severity = 'error' | 'warning' | 'info';

/** The layer of the stack that decided. */
export type Layer =
  | 'availability' | 'module' | 'whitelist' | 'driver' | 'file' | 'device' | 'probe' | 'network' | 'input' | 'image'
  | 'libvirt' | 'libguestfs' | 'virt-v2v' | 'nbdkit';

/** Codes of the QEMU layers and of image files. */
export const QEMU_CODES = [
  'driver-not-whitelisted',
  'driver-read-only-only',
  'auto-read-only-fallback',
  'driver-not-built',
  'module-not-installed',
  'protocol-unknown',
  'driver-read-only-by-nature',
  'file-not-found',
  'file-unreadable',
  'device-needs-write',
  'format-probed',
  'raw-probed',
  'tools-skip-whitelist',
  'remote-not-checked',
  'json-invalid',
  'backing-loop',
  'node-not-found',
  'image-format-probed',
  'image-format-ambiguous',
  'backing-absolute',
  'backing-outside-folder',
  'backing-device',
  'backing-url',
  'backing-json',
  'backing-format-missing',
  'data-file-absolute',
  'data-file-outside-folder',
  'data-file-device',
  'data-file-url',
  'extent-outside-folder',
  'extent-device',
  'chain-too-deep',
  'header-field-out-of-range',
] as const;

/** Every finding code: QEMU's and images' above, the layers above QEMU in ./<layer>-codes.ts with ./<layer>-catalog.ts. */
export const FINDING_CODES = [...QEMU_CODES, ...LIBVIRT_CODES, ...LIBGUESTFS_CODES, ...V2V_CODES] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

export interface Finding {
  code: FindingCode;
  severity: Severity;
  layer: Layer;
  /** BlockNode.id the finding is about, when it is about one node. */
  node?: string;
  /** StackStep.id of the pipeline step the finding belongs to (libvirt, appliance, nbdkit, output, ...). */
  step?: string;
  args: Record<string, string>;
}
