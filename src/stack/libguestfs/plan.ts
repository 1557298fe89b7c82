import type { StackPlan } from '../../model/stack.js';
import type { StackContext } from '../context.js';
import { InputError } from '../../errors.js';

export const LIBGUESTFS_TOOLS: readonly string[] = ['guestfish'];

/** guestfish / virt-* ARGS: libguestfs's rules for each -a/-d drive, then the appliance's QEMU command. */
export function planLibguestfs(_argv: string[], _ctx: StackContext): StackPlan {
  throw new InputError('libguestfs tools are not implemented yet');
}
