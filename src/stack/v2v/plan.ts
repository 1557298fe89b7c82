import type { StackPlan } from '../../model/stack.js';
import type { StackContext } from '../context.js';
import { InputError } from '../../errors.js';

/** virt-v2v ARGS: the conversion pipeline of the profile's virt-v2v version, every step judged. */
export function planV2v(_argv: string[], _ctx: StackContext): StackPlan {
  throw new InputError('virt-v2v is not implemented yet');
}
