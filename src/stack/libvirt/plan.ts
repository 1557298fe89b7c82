import type { Finding } from '../../findings/finding.js';
import type { Plan } from '../../model/node.js';
import type { StackPlan, StackStep } from '../../model/stack.js';
import type { StackContext } from '../context.js';
import { InputError } from '../../errors.js';
import { planSystem } from '../../plan/system.js';
import type { BackingStore, DiskDef, DomainDef, ImageSource } from './domain.js';
import { parseDomainXml } from './xml.js';
import { detectChain, type Chain, type ChainImage, type LibvirtIssue } from './chain.js';
import { libvirtFeatures, type LibvirtFeatures } from './features.js';
import { defaultRawRule, diskRules, type Phase } from './rules.js';
import { cacheMode, imageBlockdevs } from './blockdev.js';
import { legacyDrive } from './drive.js';
import { deviceDriver, diskAlias, libvirtDiskOrder } from './devices.js';

interface DiskPlan {
  disk: DiskDef;
  issues: (LibvirtIssue & { phase: Phase | 'chain' })[];
  chain?: ChainImage[];
}

const PHASES: (Phase | 'chain')[] = ['parse', 'validate', 'start', 'chain'];

/** A libvirt domain XML: libvirt's own rules for each <disk>, then the QEMU command it would start, judged by the QEMU layers. */
export function planDomain(xml: string, ctx: StackContext): StackPlan {
  const domain = parseDomainXml(xml);
  const libvirt = ctx.profile.libvirt;
  if (!libvirt)
    throw new InputError(
      `profile ${ctx.profile.name} has no libvirt facts: pass --profile NAME (blockgate profiles ` +
        'lists them) or a profile file with a libvirt group',
    );
  const features = libvirtFeatures(libvirt.version, ctx.profile.qemu.version);
  const disks = libvirtDiskOrder(domain.disks).map((disk) => planDisk(disk, ctx, features));
  const findings = disks.flatMap((d) =>
    d.issues.map((i): Finding => ({ code: i.code, severity: i.severity, layer: 'libvirt', args: i.args })),
  );
  const refusal = firstRefusal(disks);
  const program = (
    domain.emulator ??
    ctx.profile.qemu.hypervisors.find((h) => h.startsWith('/')) ??
    'qemu-system-x86_64'
  ).replace(/^.*\//, '');
  const steps: StackStep[] = [
    {
      id: 'libvirt',
      program: 'libvirt',
      summary:
        `libvirt ${libvirt.version} prepares ${disks.length} disk${disks.length === 1 ? '' : 's'} ` +
        `of domain '${domain.name}' as ${features.blockdev ? '-blockdev' : '-drive'}`,
      findings,
      ...(refusal ? { messages: [refusal] } : {}),
    },
  ];
  const accepted = disks.filter((d) => d.chain && !d.issues.some((i) => i.severity === 'error'));
  if (accepted.length > 0) {
    steps.push({
      id: 'qemu',
      program,
      summary: `the QEMU command libvirt starts for ${accepted.map((d) => d.disk.target).join(', ')}`,
      findings: [],
      qemu: qemuPlan(program, accepted, domain, ctx, features),
    });
  }
  return { tool: 'libvirt', steps };
}

function planDisk(disk: DiskDef, ctx: StackContext, features: LibvirtFeatures): DiskPlan {
  const issues: DiskPlan['issues'] = diskRules(disk, ctx.profile, features);
  const source = disk.source;
  if (!source || issues.some((i) => i.severity === 'error' || i.code === 'libvirt-disk-not-checked'))
    return { disk, issues };
  // A disk with no <driver type> is raw: libvirt never probes it.
  const top = { ...source, format: source.format ?? 'raw' };
  if (top.type === 'file' || top.type === 'block')
    issues.push(
      ...defaultRawRule(disk, ctx.facts(top.path ?? '', true)).map((i) => ({ ...i, phase: 'chain' as const })),
    );
  const chain = diskChain(disk, top, ctx, features);
  issues.push(...chain.issues.map((i) => ({ ...i, phase: 'chain' as const })));
  return { disk, issues, chain: chain.images };
}

/** The chain libvirt uses: the XML's <backingStore> from 5.10 on, the rest (or all of it) read from the headers. */
function diskChain(
  disk: DiskDef,
  top: ImageSource & { format: string },
  ctx: StackContext,
  features: LibvirtFeatures,
): Chain {
  if (!features.explicitChain || disk.backing.kind === 'detect') return detectChain(top, ctx.facts, features);
  const images: ChainImage[] = [];
  let current = top;
  let store: BackingStore = disk.backing;
  while (store.kind === 'image') {
    if (store.image.format === undefined) {
      return {
        images,
        issues: [
          {
            code: 'libvirt-backing-format-missing',
            severity: 'error',
            args: { backing: store.image.path ?? store.image.name ?? '', image: current.path ?? '' },
            message: 'XML error: missing disk backing store format',
          },
        ],
      };
    }
    images.push({ source: current, format: current.format, backing: 'next' });
    current = { ...store.image, format: store.image.format };
    store = store.backing;
  }
  if (store.kind === 'end')
    return {
      images: [
        ...images,
        { source: current, format: current.format, backing: current.format === 'raw' ? 'absent' : 'null' },
      ],
      issues: [],
    };
  const rest = detectChain(current, ctx.facts, features);
  return { images: [...images, ...rest.images], issues: rest.issues };
}

/** libvirt stops at the first error: XML, then validation, then start checks, then chains (qemuProcessPrepareHostStorage walks the disks last to first). */
function firstRefusal(disks: DiskPlan[]): string | undefined {
  for (const phase of PHASES) {
    const ordered = phase === 'chain' ? [...disks].reverse() : disks;
    const found = ordered
      .flatMap((d) => d.issues)
      .find((i) => i.phase === phase && i.severity === 'error' && i.message);
    if (found?.message) return found.message;
  }
  return undefined;
}

function qemuPlan(
  program: string,
  disks: DiskPlan[],
  domain: DomainDef,
  ctx: StackContext,
  features: LibvirtFeatures,
): Plan {
  const args = features.blockdev ? blockdevArgs(disks) : disks.flatMap((d) => driveArgs(d));
  const drives = planSystem(['-machine', domain.machine ?? 'pc', ...args], {
    qemu: ctx.profile.qemu,
    facts: ctx.facts,
    openBacking: true,
    openDataFile: true,
  });
  return { program, kind: 'hypervisor', drives };
}

/** Node names count up from the last disk, top image first (libvirt-1-format is the last disk's top image). */
function blockdevArgs(disks: DiskPlan[]): string[] {
  const indexes = new Map<DiskPlan, number[]>();
  let next = 1;
  for (const d of [...disks].reverse())
    indexes.set(
      d,
      (d.chain ?? []).map(() => next++),
    );
  return disks.flatMap((d) => {
    const chain = d.chain ?? [];
    const ids = indexes.get(d) ?? [];
    const cache = cacheMode(d.disk);
    const nodes = chain
      .map((image, i) =>
        imageBlockdevs(
          image,
          ids[i] ?? 0,
          i > 0 || d.disk.readOnly,
          cache,
          d.disk.device === 'cdrom',
          ids[i + 1] === undefined ? undefined : `libvirt-${ids[i + 1]}-format`,
        ),
      )
      .reverse()
      .flat();
    const { driver } = deviceDriver(d.disk);
    return [...nodes, '-device', `${driver},drive=libvirt-${ids[0] ?? 0}-format,id=${diskAlias(d.disk)}`];
  });
}

function driveArgs(d: DiskPlan): string[] {
  const [top] = d.chain ?? [];
  if (!top) return [];
  const alias = diskAlias(d.disk);
  return [
    ...legacyDrive(d.disk, top.source, top.format, alias),
    '-device',
    `${deviceDriver(d.disk).driver},drive=drive-${alias},id=${alias}`,
  ];
}
