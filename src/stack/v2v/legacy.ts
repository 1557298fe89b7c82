import type { ImageFacts } from '../../model/image.js';
import type { StackStep } from '../../model/stack.js';
import type { StackContext } from '../context.js';
import type { V2vCommand } from './options.js';
import type { Source } from './source.js';
import type { SourceDisk } from './disks.js';
import { planCommand } from '../../plan/plan.js';
import { applianceSteps } from './appliance.js';
import { created, withCreated } from './images.js';
import { eraOf } from './era.js';
import { finding } from './finding.js';
import { nbdkitStep } from './nbdkit.js';
import { remoteBacking, remotePlugin } from './remote.js';

interface Overlay {
  disk: SourceDisk;
  file: string;
  backing: string;
  backingFormat?: string;
  /** The nbdkit step that serves the disk (1.41.5 on, and -it vddk in 1.40). */
  served?: StackStep;
  protocol?: string;
}

/**
 * virt-v2v before the 2.0 rewrite: a qcow2 overlay over every source disk (libguestfs v1.40.2 v2v/v2v.ml:288-314,
 * `qemu-img create -q -f qcow2 -b URI -o compat=1.1[,backing_fmt=FMT]`), the appliance on the overlays (:342-348),
 * then `qemu-img convert -n -f qcow2 -O FMT OVERLAY TARGET` (:749-757).
 */
export function legacySteps(
  cmd: V2vCommand,
  source: Source,
  disks: SourceDisk[],
  targets: string[],
  ctx: StackContext,
): { steps: StackStep[]; ctx: StackContext } {
  const overlays = disks.map((disk, i) => overlayOf(disk, i, source, ctx));
  const files: ImageFacts[] = overlays.map((o) =>
    created(o.file, 'qcow2', { file: o.backing, ...(o.backingFormat ? { format: o.backingFormat } : {}) }),
  );
  const of = cmd.values.get('of') ?? 'raw';
  const run = withCreated(ctx, [...files, ...targets.map((t) => created(t, of))]);
  const steps: StackStep[] = [];
  for (const o of overlays) {
    if (o.served) steps.push(o.served);
    const create = [
      'qemu-img',
      'create',
      '-q',
      '-f',
      'qcow2',
      '-b',
      o.backing,
      '-o',
      `compat=1.1${o.backingFormat ? `,backing_fmt=${o.backingFormat}` : ''}`,
      o.file,
    ];
    steps.push({
      id: `overlay ${o.disk.sd}`,
      program: 'qemu-img',
      summary: `qcow2 overlay protecting ${o.disk.sd}${o.disk.assumed ? ` (format ${o.disk.format ?? 'probed'} assumed)` : ''}`,
      findings: o.protocol
        ? [finding('v2v-remote-behind-overlay', 'info', { protocol: o.protocol, overlay: o.file })]
        : [],
      qemu: planCommand(create, ctx.profile, withCreated(ctx, []).facts),
    });
  }
  steps.push(
    ...applianceSteps(
      overlays.map((o) => ({
        filename: o.file,
        format: 'qcow2',
        cachemode: 'unsafe',
        origin: `${o.file} (overlay of ${o.disk.sd})`,
      })),
      run,
    ),
  );
  overlays.forEach((o, i) => {
    const target = targets[i];
    if (!target) return;
    steps.push({
      id: `copy ${o.disk.sd}`,
      program: 'qemu-img',
      summary: `copies ${o.disk.sd} through its overlay into ${target} as ${of}`,
      findings: [],
      qemu: planCommand(['qemu-img', 'convert', '-n', '-f', 'qcow2', '-O', of, o.file, target], ctx.profile, run.facts),
    });
  });
  return { steps, ctx: run };
}

function overlayOf(disk: SourceDisk, i: number, source: Source, ctx: StackContext): Overlay {
  const file = `/var/tmp/v2vovl${i}.qcow2`;
  const base = { disk, file, ...(disk.format ? { backingFormat: disk.format } : {}) };
  const nbdkit = eraOf(ctx.profile.virtV2v?.version) === 'nbdkit-overlay' || source.kind === 'vddk';
  const plugin = remotePlugin(source);
  if (plugin && nbdkit) {
    const socket = `/tmp/v2v.0/${disk.sd}.sock`;
    const served = nbdkitStep(
      {
        id: `nbdkit ${plugin} ${disk.sd}`,
        plugins: [plugin],
        filters: [],
        summary:
          `nbdkit-${plugin}-plugin serves ${disk.sd} of ${source.subject ?? 'the guest'} from ` +
          `${source.remote?.server ?? 'the source'} on ${socket}`,
        exactMessages: false,
        extra: [finding('v2v-source-over-nbd', 'info', { plugin, socket }, 'nbdkit')],
      },
      ctx.profile,
    );
    return { ...base, backing: `nbd:unix:${socket}:exportname=/`, backingFormat: 'raw', served };
  }
  const remote = remoteBacking(source);
  if (remote) return { ...base, backing: remote.uri, protocol: remote.protocol };
  return { ...base, backing: disk.file ?? 'disk.img' };
}
