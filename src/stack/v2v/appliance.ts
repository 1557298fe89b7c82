import type { StackStep } from '../../model/stack.js';
import type { StackContext } from '../context.js';
import { InputError } from '../../errors.js';
import { planCommand } from '../../plan/plan.js';
import { planAppliance, type GuestfsDrive } from '../libguestfs/plan.js';
import { chosenBackend } from '../libguestfs/backend.js';

const backendOf = (ctx: StackContext) => chosenBackend(ctx.env, ctx.profile).backend;

/** The libguestfs appliance over virt-v2v's drives: the libguestfs layer's planner, one call. */
export function applianceSteps(drives: GuestfsDrive[], ctx: StackContext): StackStep[] {
  try {
    return planAppliance(drives, backendOf(ctx), ctx);
  } catch (error) {
    if (!(error instanceof InputError) || !/not implemented/.test(error.message)) throw error;
    return [directAppliance(drives, ctx)];
  }
}

/**
 * Stand-in until src/stack/libguestfs plans the appliance: the -drive lines of the direct backend
 * (libguestfs 1.48 lib/launch-direct.c: file, cache, format, id, if=none, then a scsi-hd), judged by the QEMU layers.
 */
function directAppliance(drives: GuestfsDrive[], ctx: StackContext): StackStep {
  const program = ctx.profile.qemu.hypervisors[0] ?? 'qemu-system-x86_64';
  const args = drives.flatMap((d, i) => {
    const file = d.protocol === 'nbd' ? `nbd:${(d.server?.[0] ?? '').replace(/^unix:/, 'unix:')}` : d.filename;
    const opts = [
      `file=${file.replace(/,/g, ',,')}`,
      ...(d.cachemode ? [`cache=${d.cachemode}`] : []),
      ...(d.format ? [`format=${d.format}`] : []),
      ...(d.readonly ? ['readonly=on'] : []),
      `id=hd${i}`,
      'if=none',
    ];
    return ['-drive', opts.join(','), '-device', `scsi-hd,drive=hd${i}`];
  });
  return {
    id: 'appliance',
    program,
    summary:
      `libguestfs appliance (${backendOf(ctx)} backend) opens ` +
      `${drives.map((d) => d.origin ?? d.filename).join(', ')}`,
    findings: [],
    qemu: planCommand([program, ...args], ctx.profile, ctx.facts),
  };
}
