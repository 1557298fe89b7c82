import { CATALOG, QEMU_CATALOG, type FindingCode } from './catalog.js';

/** Findings are data: a stable code, a severity and arguments. All wording lives in ./catalog.ts. */

export type Severity = 'error' | 'warning' | 'info';

/** The layer of the stack that decided. */
export type Layer =
  | 'availability'
  | 'module'
  | 'whitelist'
  | 'driver'
  | 'file'
  | 'device'
  | 'probe'
  | 'network'
  | 'input'
  | 'image'
  | 'libvirt'
  | 'libguestfs'
  | 'virt-v2v'
  | 'nbdkit';

/** Codes of the QEMU layers and of image files (their wording is in ./catalog.ts). */
export const QEMU_CODES = Object.keys(QEMU_CATALOG) as Array<keyof typeof QEMU_CATALOG>;

/** Every finding code: a code exists by having its wording, in ./catalog.ts or a layer's ./<layer>-catalog.ts. */
export type { FindingCode };

export const FINDING_CODES = Object.keys(CATALOG) as FindingCode[];

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
