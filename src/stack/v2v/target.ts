import type { StackStep } from '../../model/stack.js';
import type { StackContext } from '../context.js';
import type { V2vCommand } from './options.js';
import type { Source } from './source.js';
import type { SourceDisk } from './disks.js';
import { planCommand } from '../../plan/plan.js';
import { guestName } from './disks.js';
import { outputMode } from './front.js';
import { created, withCreated } from './images.js';

/** Outputs that write no file this host's QEMU would open: null discards, rhv-upload streams to oVirt over https. */
const NO_FILE = ['null', 'rhv-upload'];

/** Where each converted disk lands: -os DIR/NAME-sdX (2.2 output/output.ml disk_path); libvirt's default pool otherwise. */
export function targetFiles(cmd: V2vCommand, source: Source, disks: SourceDisk[]): string[] {
  if (NO_FILE.includes(outputMode(cmd))) return [];
  const dir = cmd.values.get('os') ?? '/var/lib/libvirt/images';
  const name = guestName(cmd, source);
  return disks.map((d) => `${dir.replace(/\/$/, '')}/${name}-${d.sd}`);
}

/** The converted guest started by the profile's hypervisor: the -of format must open read-write there. */
export function targetStep(cmd: V2vCommand, targets: string[], ctx: StackContext): StackStep | undefined {
  if (targets.length === 0) return undefined;
  const of = cmd.values.get('of') ?? 'raw';
  const program = ctx.profile.qemu.hypervisors[0] ?? 'qemu-system-x86_64';
  const args = targets.flatMap((t, i) => [
    '-drive',
    `file=${t.replace(/,/g, ',,')},format=${of},if=none,id=disk${i}`,
    '-device',
    `virtio-blk-pci,drive=disk${i}`,
  ]);
  const run = withCreated(
    ctx,
    targets.map((t) => created(t, of)),
  );
  return {
    id: 'converted guest',
    program,
    summary: `the converted guest's ${of} disk${targets.length > 1 ? 's' : ''} on ${ctx.profile.name}'s hypervisor`,
    findings: [],
    qemu: planCommand([program, ...args], ctx.profile, run.facts),
  };
}
