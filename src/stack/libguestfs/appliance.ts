import type { Finding } from '../../findings/finding.js';
import type { ImageFacts } from '../../model/image.js';
import type { LibguestfsFacts, Profile } from '../../model/profile.js';
import type { StackStep } from '../../model/stack.js';
import type { StackContext } from '../context.js';
import type { GuestfsBackend, GuestfsDrive } from './drive.js';
import type { LibguestfsCode } from '../../findings/libguestfs-catalog.js';
import { planCommand } from '../../plan/plan.js';
import { atLeast } from '../../qemu/version.js';
import { addDrive } from './add.js';
import { qemuParam } from './qemu-param.js';
import {
  DEBUG_ADVICE,
  LIBRARY,
  LIBVIRT_CURL,
  LIBVIRT_NON_FILE_FORMAT,
  libraryError,
  type GuestfsCaller,
} from './messages.js';
import { localFacts, overlayFacts, probedFormat } from './overlay.js';

const CURL = ['ftp', 'ftps', 'http', 'https', 'tftp'];

type Facts = StackContext['facts'];

/** A drive libguestfs accepted: what QEMU gets for it at launch. */
interface Added {
  index: number;
  drive: GuestfsDrive;
  protocol: string;
  param: string;
  format?: string;
  overlay?: string;
}

/**
 * The steps libguestfs runs for drives a tool adds: add_drive's checks and, for each read-only drive, the qcow2
 * overlay that protects it (made while the drive is added, lib/drives.c create_overlay), then the appliance's QEMU.
 * The tool exits at the first refusal of libguestfs itself, so no step follows one.
 */
export function planAppliance(
  drives: GuestfsDrive[],
  backend: GuestfsBackend,
  ctx: StackContext,
  caller: GuestfsCaller = LIBRARY,
): StackStep[] {
  const lib = libguestfsFacts(ctx.profile);
  const steps: StackStep[] = [];
  const added: Added[] = [];
  let facts: Facts = ctx.facts;
  for (const [index, drive] of drives.entries()) {
    const id = `hd${index}`;
    const step = (findings: Finding[], messages?: string[]): StackStep => ({
      id,
      program: caller.program,
      summary: `add_drive ${describe(drive)}`,
      findings,
      ...(messages ? { messages } : {}),
    });
    const outcome = addDrive(drive, lib, accessError(drive, ctx.facts));
    if (!outcome.ok) {
      const code: LibguestfsCode =
        outcome.reason === 'protocol'
          ? 'libguestfs-protocol-unknown'
          : outcome.reason === 'file'
            ? 'libguestfs-file-missing'
            : 'libguestfs-drive-invalid';
      steps.push(
        step(
          [
            finding(code, 'error', {
              drive: describe(drive),
              protocol: drive.protocol ?? 'file',
              accepted: lib.protocols.join(', '),
              error: outcome.error,
              version: lib.version,
            }),
          ],
          libraryError(caller, outcome.error),
        ),
      );
      return steps;
    }
    const param = qemuParam(
      {
        protocol: outcome.protocol,
        filename: drive.filename,
        servers: outcome.servers,
        ...(drive.username !== undefined ? { username: drive.username } : {}),
        ...(drive.secret !== undefined ? { secret: drive.secret } : {}),
      },
      (p) => p,
    );
    const base: Added = {
      index,
      drive,
      protocol: outcome.protocol,
      param,
      ...(drive.format ? { format: drive.format } : {}),
    };
    if (!drive.readonly) {
      steps.push(step([]));
      added.push(base);
      continue;
    }
    const refusal = overlayRefusal(base, backend, lib, caller);
    if (refusal) {
      steps.push(step([refusal.finding], refusal.messages));
      return steps;
    }
    steps.push(step([finding('libguestfs-overlay', 'info', { drive: describe(drive), backing: param })]));
    const overlay = `/tmp/libguestfsXXXXXX/overlay${added.filter((a) => a.overlay).length + 1}.qcow2`;
    const format = drive.format ?? (base.protocol === 'file' ? probedFormat(facts(param), ctx.profile) : undefined);
    if (!drive.format && base.protocol === 'file') steps.push(formatStep(id, param, ctx, facts));
    steps.push(overlayStep(id, param, format, overlay, ctx, facts));
    facts = overlayFacts(facts, overlay, param, format);
    added.push({ ...base, overlay, ...(format ? { format } : {}) });
  }
  steps.push(launchStep(added, backend, ctx, facts, caller, lib));
  return steps;
}

function libguestfsFacts(profile: Profile): LibguestfsFacts {
  return profile.libguestfs ?? { version: '1.48.6', protocols: ['file'], defaultBackend: 'direct', source: 'none' };
}

function accessError(drive: GuestfsDrive, facts: Facts): string | undefined {
  if ((drive.protocol ?? 'file') !== 'file') return undefined;
  const f = localFacts(facts, drive.filename);
  if (!f) return undefined;
  return f.error ?? (f.exists ? undefined : 'No such file or directory');
}

/** A read-only drive's overlay needs the source's format: from the caller, or found by qemu-img info. */
function overlayRefusal(
  a: Added,
  backend: GuestfsBackend,
  lib: LibguestfsFacts,
  caller: GuestfsCaller,
): { finding: Finding; messages: string[] } | undefined {
  if (a.format || a.protocol === 'file') return undefined;
  const args = { drive: describe(a.drive), backing: a.param, version: lib.version };
  if (backend === 'libvirt') {
    return {
      finding: finding('libguestfs-libvirt-format-needed', 'error', args),
      messages: libraryError(caller, LIBVIRT_NON_FILE_FORMAT),
    };
  }
  // Since 1.45.7 (commit 45de28744) disk_create_qcow2 asks qemu-img info for the backing format, and
  // get_json_output (lib/info.c) prefixes a name not starting with '/' with "./": the URL becomes a local path.
  if (!atLeast(lib.version, '1.45.7')) return undefined;
  const text = [`qemu-img info: ${a.param}: qemu-img info exited with error status 1.`, ...DEBUG_ADVICE].join('\n');
  return { finding: finding('libguestfs-remote-format-needed', 'error', args), messages: libraryError(caller, text) };
}

function formatStep(id: string, param: string, ctx: StackContext, facts: Facts): StackStep {
  return {
    id: `${id} format`,
    program: 'qemu-img',
    summary: `qemu-img info -U --output json ${param} (guestfs_disk_format)`,
    findings: [],
    qemu: planCommand(['qemu-img', 'info', '-U', '--output', 'json', param], ctx.profile, facts),
  };
}

function overlayStep(
  id: string,
  param: string,
  format: string | undefined,
  overlay: string,
  ctx: StackContext,
  facts: Facts,
): StackStep {
  const options = `backing_file=${param.replaceAll(',', ',,')}${format ? `,backing_fmt=${format}` : ''}`;
  // qemu-img create -o backing_file=X,backing_fmt=F is -b X -F F to qemu-img.
  const judged = ['qemu-img', 'create', '-f', 'qcow2', '-b', param, ...(format ? ['-F', format] : []), overlay];
  return {
    id: `${id} overlay`,
    program: 'qemu-img',
    summary: `qemu-img create -f qcow2 -o ${options} ${overlay}`,
    findings: [],
    qemu: planCommand(judged, ctx.profile, (name, literal) => (name === overlay ? undefined : facts(name, literal))),
  };
}

function launchStep(
  added: Added[],
  backend: GuestfsBackend,
  ctx: StackContext,
  facts: Facts,
  caller: GuestfsCaller,
  lib: LibguestfsFacts,
): StackStep {
  const hv = ctx.env['LIBGUESTFS_HV'] ?? hypervisorPath(ctx.profile);
  const summary =
    `${backend} backend launches the appliance with ${added.length} ` + `drive${added.length === 1 ? '' : 's'}`;
  const refused = backend === 'libvirt' ? libvirtRefusal(added, caller, lib) : undefined;
  if (refused) return { id: 'appliance', program: caller.program, summary, ...refused };
  const args = added.flatMap((a) => driveArgs(a, backend, ctx.profile));
  // LIBGUESTFS_HV may name any wrapper: whatever it is called, it is the hypervisor.
  const plan = planCommand([hypervisorPath(ctx.profile), ...args], ctx.profile, facts);
  const program = hv.replace(/^.*\//, '');
  return { id: 'appliance', program, summary, findings: [], qemu: { ...plan, program } };
}

/** construct_libvirt_xml_disk refuses while the domain XML is built, before libvirt or QEMU run. */
function libvirtRefusal(
  added: Added[],
  caller: GuestfsCaller,
  lib: LibguestfsFacts,
): { findings: Finding[]; messages: string[] } | undefined {
  for (const a of added.filter((x) => !x.overlay)) {
    const args = { drive: describe(a.drive), protocol: a.protocol, backing: a.param, version: lib.version };
    if (CURL.includes(a.protocol))
      return {
        findings: [finding('libguestfs-libvirt-curl', 'error', args)],
        messages: libraryError(caller, LIBVIRT_CURL),
      };
    if (a.protocol !== 'file' && !a.format) {
      return {
        findings: [finding('libguestfs-libvirt-format-needed', 'error', args)],
        messages: libraryError(caller, LIBVIRT_NON_FILE_FORMAT),
      };
    }
  }
  return undefined;
}

/** add_drive and add_drive_standard_params (lib/launch-direct.c, 1.48.6). */
function driveArgs(a: Added, backend: GuestfsBackend, profile: Profile): string[] {
  const id = `hd${a.index}`;
  let source: string;
  if (a.overlay) {
    // qemu >= 2.10 locks images; libguestfs names the qcow2 layer so it can turn locking off on a local backing file.
    source =
      backend === 'direct' && a.protocol === 'file' && atLeast(profile.qemu.version, '2.10')
        ? `file.file.filename=${a.overlay},file.driver=qcow2,cache=unsafe`
        : `file=${a.overlay},format=qcow2,cache=unsafe`;
  } else {
    source = `file=${a.param.replaceAll(',', ',,')},cache=${a.drive.cachemode ?? 'writeback'}${a.format ? `,format=${a.format}` : ''}`;
  }
  const iface = a.drive.iface;
  if (iface && iface !== 'virtio') return ['-drive', `${source},id=${id},if=${iface}`];
  return [
    '-drive',
    `${source},id=${id},if=none`,
    '-device',
    `${iface === 'virtio' ? 'virtio-blk-pci' : 'scsi-hd'},drive=${id}`,
  ];
}

/** The QEMU libguestfs was configured with: a path in the profile's hypervisors, or /usr/bin/NAME. */
function hypervisorPath(profile: Profile): string {
  const hv = profile.qemu.hypervisors;
  return hv.find((h) => h.startsWith('/')) ?? `/usr/bin/${hv[0] ?? 'qemu-system-x86_64'}`;
}

function describe(drive: GuestfsDrive): string {
  return drive.origin ?? drive.filename;
}

function finding(code: LibguestfsCode, severity: Finding['severity'], args: Record<string, string>): Finding {
  return { code, severity, layer: 'libguestfs', args };
}

export type { ImageFacts };
