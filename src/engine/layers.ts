import type { BlockNode } from '../model/node.js';
import type { Finding, FindingCode, Layer } from '../findings/finding.js';
import type { Profile } from '../model/profile.js';
import { READ_ONLY_BY_NATURE, driverForProtocol } from '../qemu/drivers.js';
import { debianModuleHint, qemuText } from './messages.js';
import { qemuFeatures } from '../qemu/features.js';

/** What one layer says about one node. Passing layers return undefined. */
export interface LayerOutcome {
  layer: Layer;
  finding: Finding;
  /** The node fails to open with this QEMU error text (no location or backing prefixes yet). */
  error?: string;
  /** Lines QEMU prints before the error (Debian's module hint). */
  before?: string[];
  /** Raised before the open starts (pre-2.3 drive_init format lookup), so no "could not open disk image" wrapper. */
  beforeOpen?: boolean;
  /** The node opens, but read-only although read-write was asked for. */
  fallsBackToReadOnly?: boolean;
}

export interface LayerInput {
  node: BlockNode;
  /** Access at the time of the check: read-only asked for, or inherited from a parent that already fell back. */
  readOnly: boolean;
  profile: Profile;
  /** The program enforces the whitelist: the hypervisor always, the tools only when built so. */
  enforces: boolean;
}

export type LayerCheck = (input: LayerInput) => LayerOutcome | undefined;

function outcome(
  layer: Layer,
  code: FindingCode,
  severity: Finding['severity'],
  node: BlockNode,
  args: Record<string, string>,
): LayerOutcome {
  return { layer, finding: { code, severity, layer, node: node.id, args } };
}

const planProblems: LayerCheck = ({ node }) => {
  if (!node.planError) return undefined;
  const { code, text } = node.planError;
  const layer = code === 'file-unreadable' ? 'file' : code === 'driver-not-built' ? 'availability' : 'input';
  const driver = /value '(.*)'$/.exec(text)?.[1] ?? node.driver;
  return { ...outcome(layer, code, 'error', node, { text, filename: node.filename ?? '', driver }), error: text };
};

/** Layer 1: the driver is compiled in, or its module file is installed (block.c bdrv_find_format / bdrv_find_protocol). */
const availability: LayerCheck = ({ node, profile }) => {
  const { qemu } = profile;
  if (qemu.drivers.builtin.includes(node.driver)) return undefined;
  const module = qemu.modules.find((m) => m.drivers.includes(node.driver));
  if (module?.installed) return undefined;
  const named = qemuFeatures(qemu).namedUnknown;
  const error =
    node.selectedBy === 'protocol-prefix'
      ? qemuText.unknownProtocol(named ? (node.protocol ?? node.driver) : undefined)
      : named
        ? qemuText.unknownDriver(node.driver)
        : qemuText.invalidFormat(node.driver);
  if (!module && node.protocol && !driverForProtocol(node.protocol)) {
    return { ...outcome('availability', 'protocol-unknown', 'error', node, { protocol: node.protocol }), error };
  }
  if (!module) {
    const beforeOpen = !named && node.selectedBy !== 'protocol-prefix';
    return {
      ...outcome('availability', 'driver-not-built', 'error', node, { driver: node.driver }),
      error,
      beforeOpen,
    };
  }
  const before = qemu.debianModuleHint ? [debianModuleHint(module.file, module.package)] : [];
  const args = { driver: node.driver, module: module.file, package: module.package };
  return { ...outcome('module', 'module-not-installed', 'error', node, args), error, before };
};

/** Layers 2 and 3: the rw and ro whitelists (block.c bdrv_open_common, 7.2 :1921-1936). */
const whitelist: LayerCheck = ({ node, readOnly, profile, enforces }) => {
  const { rw, ro } = profile.qemu.whitelist;
  if (!enforces || (rw.length === 0 && ro.length === 0) || rw.includes(node.driver)) return undefined;
  if (readOnly && ro.includes(node.driver)) return undefined;
  const args = { driver: node.driver };
  if (!ro.includes(node.driver)) {
    return {
      ...outcome('whitelist', 'driver-not-whitelisted', 'error', node, args),
      error: qemuText.notWhitelisted(node.driver),
    };
  }
  if (node.autoReadOnly && qemuFeatures(profile.qemu).whitelistAutoReadOnly) {
    return { ...outcome('whitelist', 'auto-read-only-fallback', 'warning', node, args), fallsBackToReadOnly: true };
  }
  return {
    ...outcome('whitelist', 'driver-read-only-only', 'error', node, args),
    error: qemuText.readOnlyOnly(node.driver),
  };
};

/** Drivers that cannot write fall back or fail through bdrv_apply_auto_read_only (block/curl.c). */
const driverCannotWrite: LayerCheck = ({ node, readOnly }) => {
  const reason = READ_ONLY_BY_NATURE[node.driver];
  if (!reason || readOnly) return undefined;
  const found = outcome('driver', 'driver-read-only-by-nature', node.autoReadOnly ? 'warning' : 'error', node, {
    driver: node.driver,
    reason,
  });
  return node.autoReadOnly ? { ...found, fallsBackToReadOnly: true } : { ...found, error: reason };
};

const fileExists: LayerCheck = ({ node }) => {
  if ((node.driver !== 'file' && node.driver !== 'host_device') || node.exists !== false) return undefined;
  const filename = node.filename ?? '';
  return { ...outcome('file', 'file-not-found', 'error', node, { filename }), error: qemuText.noSuchFile(filename) };
};

/** The format driver reads its header only once the whitelist let it open (block.c bdrv_open_common, 7.2:1924-1982). */
const headerRefused: LayerCheck = ({ node }) => {
  if (node.headerRefusal === undefined) return undefined;
  const args = { format: node.driver, text: node.headerRefusal };
  return { ...outcome('image', 'header-field-out-of-range', 'error', node, args), error: node.headerRefusal };
};

/** In the order QEMU meets them when it opens one node. */
export const LAYERS: LayerCheck[] = [
  planProblems,
  availability,
  whitelist,
  driverCannotWrite,
  fileExists,
  headerRefused,
];
