import type { StackPlan } from '../../model/stack.js';
import type { StackContext } from '../context.js';
import { InputError } from '../../errors.js';
import { parseV2v } from './options.js';
import { classifySource } from './source.js';
import { sourceDisks } from './disks.js';
import { eraOf } from './era.js';
import { frontStep } from './front.js';
import { created, withCreated } from './images.js';
import { legacySteps } from './legacy.js';
import { modernSteps } from './modern.js';
import { targetFiles, targetStep } from './target.js';

/** virt-v2v ARGS: the conversion pipeline of the profile's virt-v2v version, every step judged. */
export function planV2v(argv: string[], ctx: StackContext): StackPlan {
  const cmd = parseV2v(argv.slice(1));
  if (cmd.flags.has('machine-readable') && cmd.args.length === 0)
    throw new InputError(
      'virt-v2v --machine-readable without a guest only prints features; give the conversion to check',
    );
  const source = classifySource(cmd);
  if (source.kind === 'disk' && source.files.length === 0)
    throw new InputError('virt-v2v -i disk: expecting a disk image (filename) on the command line');
  const disks = sourceDisks(cmd, source, ctx);
  // Disks inside an OVA, VMX or domain XML are not read: stand-ins of the assumed format take their place.
  const run = withCreated(
    ctx,
    disks.filter((d) => d.assumed && d.file).map((d) => created(d.file ?? '', d.format ?? 'raw')),
  );
  const targets = targetFiles(cmd, source, disks);
  const front = frontStep(cmd, source, ctx.profile, ctx.env);
  const era = eraOf(ctx.profile.virtV2v?.version);
  const steps =
    era === 'nbd-sockets'
      ? modernSteps(cmd, source, disks, targets, run)
      : legacySteps(cmd, source, disks, targets, run).steps;
  const target = targetStep(cmd, targets, run);
  return { tool: 'virt-v2v', steps: [front, ...steps, ...(target ? [target] : [])] };
}
