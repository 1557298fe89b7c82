import type { ImageFacts } from '../../model/image.js';
import type { ImageSource } from './domain.js';
import { backingSource } from './backing-name.js';
import { BACKING_FORMATS, LIBVIRT_FORMATS, type LibvirtFeatures } from './features.js';
import type { LibvirtCode } from '../../findings/libvirt-catalog.js';

/** One image of a disk's chain as libvirt hands it to QEMU. */
export interface ChainImage {
  source: ImageSource;
  /** libvirt's format name; always set once libvirt decided it. */
  format: string;
  /** How its format node names the backing: the next image, `"backing":null` (chain ends), or no key (QEMU decides). */
  backing: 'next' | 'null' | 'absent';
}

/** A rule of libvirt's own: a refusal (error) stops the domain from starting, with libvirt's exact text. */
export interface LibvirtIssue {
  code: LibvirtCode;
  severity: 'error' | 'warning' | 'info';
  args: Record<string, string>;
  /** What virsh prints after "error: " when libvirt refuses. */
  message?: string;
}

export interface Chain {
  images: ChainImage[];
  issues: LibvirtIssue[];
}

type Facts = (filename: string, literal?: boolean) => ImageFacts | undefined;

/** QEMU_DOMAIN_STORAGE_SOURCE_CHAIN_MAX_DEPTH (qemu_domain.c:7507, 9.0.0): deeper recursion is called a loop. */
const MAX_DEPTH = 200;

/**
 * qemuDomainDetermineDiskChain -> virStorageSourceGetMetadataRecurse (storage_source.c, 9.0.0): libvirt reads each
 * local image's header, follows its backing name, and decides each backing image's format by the version's policy.
 */
export function detectChain(top: ImageSource & { format: string }, facts: Facts, features: LibvirtFeatures): Chain {
  const images: ChainImage[] = [];
  const issues: LibvirtIssue[] = [];
  const topPath = top.path ?? '';
  let current: ImageSource & { format: string } = top;
  for (let depth = 0; ; depth++) {
    const local = current.type === 'file' || current.type === 'block';
    if (!local) {
      images.push({ source: current, format: current.format, backing: 'absent' });
      return { images, issues };
    }
    const path = current.path ?? '';
    const found = facts(path, true);
    if (found && !found.exists) {
      issues.push(missing(path, topPath, depth > 0 || BACKING_FORMATS.includes(current.format)));
      return { images, issues };
    }
    const header = found?.header?.format === current.format ? found.header : undefined;
    const backingName = BACKING_FORMATS.includes(current.format) ? header?.backingFile : undefined;
    if (!backingName) {
      images.push({
        source: current,
        format: current.format,
        backing: BACKING_FORMATS.includes(current.format) ? 'null' : 'absent',
      });
      return { images, issues };
    }
    if (depth >= MAX_DEPTH) {
      issues.push({
        code: 'libvirt-chain-too-deep',
        severity: 'error',
        args: { path },
        message: `internal error: backing store for ${path} is self-referential or too deeply nested`,
      });
      return { images, issues };
    }
    const recorded =
      header?.backingFormat !== undefined && LIBVIRT_FORMATS.includes(header.backingFormat)
        ? header.backingFormat
        : undefined;
    const next = backingSource(path, backingName, recorded);
    if ('code' in next) {
      issues.push({
        code: next.code,
        severity: 'error',
        args: { backing: backingName, image: path },
        message: next.message,
      });
      return { images, issues };
    }
    images.push({ source: current, format: current.format, backing: 'next' });
    if (next.format !== undefined) {
      current = { ...next, format: next.format };
      continue;
    }
    const decided = unrecordedFormat(next, backingName, path, topPath, facts, features);
    issues.push(...decided.issues);
    if (!decided.format) return { images, issues };
    images.push({
      source: next,
      format: decided.format,
      backing: BACKING_FORMATS.includes(decided.format) ? 'null' : 'absent',
    });
    return { images, issues };
  }
}

/** A backing image whose format the overlay does not record: what the libvirt version does with it. */
function unrecordedFormat(
  next: ImageSource,
  backingName: string,
  parent: string,
  topPath: string,
  facts: Facts,
  features: LibvirtFeatures,
): { format?: string; issues: LibvirtIssue[] } {
  const args = { backing: backingName, image: parent };
  const refusal: LibvirtIssue = {
    code: 'libvirt-backing-format-missing',
    severity: 'error',
    args,
    message:
      `Requested operation is not valid: format of backing image '${backingName}' of image ` +
      `'${parent}' was not specified in the image metadata (See ` +
      'https://libvirt.org/kbase/backing_chains.html for troubleshooting)',
  };
  // With -drive QEMU opens the chain itself and probes; libvirt's own walk does not shape the command line.
  if (features.backingFormat === 'qemu-probes') return { issues: [] };
  if (features.backingFormat === 'refuse') return { issues: [refusal] };
  if (features.backingFormat === 'assume-raw') {
    return { format: 'raw', issues: [{ code: 'libvirt-backing-assumed-raw', severity: 'warning', args }] };
  }
  const local = next.type === 'file' || next.type === 'block';
  const found = local ? facts(next.path ?? '', true) : undefined;
  if (found && !found.exists) return { issues: [missing(next.path ?? '', topPath, true)] };
  // Only an image libvirt can read is probed; one with a backing file of its own is refused rather than trusted.
  if (!found || found.header?.backingFile) return { issues: [refusal] };
  const probed = found.header?.format ?? found.probes?.[0]?.format ?? 'raw';
  const format = LIBVIRT_FORMATS.includes(probed) ? probed : 'raw';
  return { format, issues: [{ code: 'libvirt-backing-format-probed', severity: 'info', args: { ...args, format } }] };
}

/**
 * virStorageSourceReportBrokenChain: names the uid and gid (QEMU's user, known only on the host that runs libvirt) when
 * libvirt tried to read the header, i.e. for backing images and formats that can have one; seen with libvirt 9.0.0
 * for a missing qcow2 (with them) and a missing vpc (without).
 */
function missing(path: string, top: string, readHeader: boolean): LibvirtIssue {
  const as = readHeader ? ' (as uid:UID, gid:GID)' : '';
  const message =
    path === top
      ? `Cannot access storage file '${path}'${as}: No such file or directory`
      : `Cannot access backing file '${path}' of storage file '${top}'${as}: No such file or directory`;
  return { code: 'libvirt-storage-missing', severity: 'error', args: { path, top }, message };
}
