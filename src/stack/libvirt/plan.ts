import type { StackPlan } from '../../model/stack.js';
import type { StackContext } from '../context.js';
import { InputError } from '../../errors.js';

/** A libvirt domain XML: each <disk> as the -blockdev graph libvirt gives QEMU, with libvirt's own rules first. */
export function planDomain(_xml: string, _ctx: StackContext): StackPlan {
  throw new InputError('--domain is not implemented yet');
}
