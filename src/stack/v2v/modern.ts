import type { StackStep } from '../../model/stack.js';
import type { StackContext } from '../context.js';
import type { V2vCommand } from './options.js';
import type { Source } from './source.js';
import type { SourceDisk } from './disks.js';
import { planCommand } from '../../plan/plan.js';
import { applianceSteps } from './appliance.js';
import { created, withCreated } from './images.js';
import { finding } from './finding.js';
import { nbdkitStep } from './nbdkit.js';
import { outputMode } from './front.js';
import { remotePlugin } from './remote.js';

const DIR = '/tmp/v2v.0';

/**
 * virt-v2v 2.x: every source disk becomes an NBD socket in0, in1, ... (nbdkit, or qemu-nbd for local non-raw
 * images), the appliance adds each as format raw over nbd (2.2 convert/convert.ml), the output module serves
 * out0, ... (nbdkit-file for raw, qemu-nbd for qcow2: output/output.ml output_to_local_file) and nbdcopy copies.
 */
export function modernSteps(
  cmd: V2vCommand,
  source: Source,
  disks: SourceDisk[],
  targets: string[],
  ctx: StackContext,
): StackStep[] {
  const of = cmd.values.get('of') ?? 'raw';
  const steps: StackStep[] = disks.map((disk, i) => inputStep(disk, i, source, ctx));
  steps.push(
    ...applianceSteps(
      disks.map((d, i) => ({
        filename: '',
        protocol: 'nbd',
        server: [`unix:${DIR}/in${i}`],
        format: 'raw',
        origin: `${DIR}/in${i} (${d.sd})`,
      })),
      ctx,
    ),
  );
  const out = withCreated(
    ctx,
    targets.map((t) => created(t, of)),
  );
  steps.push(...targets.map((target, i) => outputStep(cmd, target, i, of, out)));
  if (outputMode(cmd) === 'null') steps.push(nullStep(ctx));
  return withCopyTool(steps, ctx);
}

/** nbdcopy runs once the conversion is done (v2v/v2v.ml copy_disks): its absence shows up on the copy, the first output step. */
function withCopyTool(steps: StackStep[], ctx: StackContext): StackStep[] {
  const state = ctx.profile.virtV2v?.nbdcopy;
  const at = steps.findIndex((s) => s.id.startsWith('output'));
  if (state === undefined || state === 'installed' || at < 0) return steps;
  const copy = steps[at] as StackStep;
  const missing = finding('v2v-nbdcopy-missing', state === 'missing' ? 'error' : 'warning', { state });
  return steps.map((s, i) => (i === at ? { ...copy, findings: [...copy.findings, missing] } : s));
}

function inputStep(disk: SourceDisk, i: number, source: Source, ctx: StackContext): StackStep {
  const socket = `${DIR}/in${i}`;
  const plugin = remotePlugin(source);
  const probe =
    source.kind === 'libvirt' || source.kind === 'libvirtxml'
      ? ['file', 'nbd']
      : source.kind === 'disk'
        ? ['file']
        : [];
  if (plugin) {
    return nbdkitStep(
      {
        id: `nbdkit ${plugin} ${disk.sd}`,
        plugins: [...probe, plugin],
        filters: ['cow'],
        summary:
          `nbdkit-${plugin}-plugin with the cow filter serves ${disk.sd} from ` +
          `${source.remote?.server ?? 'the source'} on ${socket}`,
        exactMessages: true,
        extra: [finding('v2v-source-over-nbd', 'info', { plugin, socket }, 'nbdkit')],
      },
      ctx.profile,
    );
  }
  const file = disk.file ?? 'disk.img';
  if (disk.format === 'raw' && source.kind !== 'ova' && source.kind !== 'vmx') {
    return nbdkitStep(
      {
        id: `nbdkit file ${disk.sd}`,
        plugins: [...probe],
        filters: ['cow'],
        summary: `nbdkit-file-plugin with the cow filter serves ${file} on ${socket}`,
        exactMessages: true,
      },
      ctx.profile,
    );
  }
  // lib/qemuNBD.ml: -t --shared=0 --discard=unmap --socket S [-s] [--format F]; -s is the protective overlay.
  const format = source.kind === 'ova' ? [] : ['--format', disk.format ?? 'raw'];
  const guard =
    source.kind === 'disk'
      ? nbdkitStep(
          {
            id: `nbdkit check ${disk.sd}`,
            plugins: probe,
            filters: ['cow'],
            summary: 'the probes -i disk makes before serving any disk',
            exactMessages: true,
          },
          ctx.profile,
        )
      : undefined;
  const serve: StackStep = {
    id: `qemu-nbd ${disk.sd}`,
    program: 'qemu-nbd',
    summary: `qemu-nbd serves ${file}${disk.assumed ? ` (format ${disk.format ?? 'probed'} assumed)` : ''} under a snapshot overlay on ${socket}`,
    findings: [],
    qemu: planCommand(
      ['qemu-nbd', '-t', '--shared=0', '--discard=unmap', '--socket', socket, '-s', ...format, file],
      ctx.profile,
      ctx.facts,
    ),
  };
  return guard && guard.findings.length > 0
    ? { ...serve, findings: guard.findings, ...(guard.messages ? { messages: guard.messages } : {}) }
    : serve;
}

function outputStep(cmd: V2vCommand, target: string, i: number, of: string, ctx: StackContext): StackStep {
  const socket = `${DIR}/out${i}`;
  if (of !== 'qcow2') {
    const step = nbdkitStep(
      {
        id: `output ${i}`,
        plugins: ['file'],
        filters: [],
        summary: `nbdkit-file-plugin serves ${target} (raw) on ${socket}; nbdcopy copies in${i} to it`,
        exactMessages: true,
      },
      ctx.profile,
    );
    return step;
  }
  const flags = cmd.lists.get('oo')?.some((o) => o.startsWith('compressed')) || cmd.flags.has('compressed');
  const image = flags
    ? [
        '--image-opts',
        `driver=compress,file.driver=qcow2,file.file.driver=file,file.file.filename=${target.replace(/,/g, ',,')}`,
      ]
    : ['--format', 'qcow2', target];
  return {
    id: `output ${i}`,
    program: 'qemu-nbd',
    summary: `libguestfs creates ${target} (qcow2), qemu-nbd serves it on ${socket}; nbdcopy copies in${i} to it`,
    findings: [],
    qemu: planCommand(
      ['qemu-nbd', '-t', '--shared=0', '--discard=unmap', '--socket', socket, ...image],
      ctx.profile,
      ctx.facts,
    ),
  };
}

function nullStep(ctx: StackContext): StackStep {
  return nbdkitStep(
    {
      id: 'output null',
      plugins: ['null'],
      filters: [],
      summary: 'nbdkit-null-plugin discards the copy (-o null)',
      exactMessages: true,
    },
    ctx.profile,
  );
}
