import type { ImageChain } from '../model/chain.js';
import type { CheckResult } from '../model/result.js';
import type { ImageFinding } from './safety.js';

/** One image judged: its chain as read, the command that opens it, the engine's verdict and the safety findings. */
export interface ImageJudgement {
  path: string;
  chain: ImageChain;
  /** The hypervisor command line judged, e.g. qemu-system-x86_64 -drive file=a.qcow2,if=none. */
  command: string[];
  check: CheckResult;
  findings: ImageFinding[];
}
