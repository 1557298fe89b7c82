import type { BlockNode, Drive, Plan } from '../model/node.js';
import type { Finding } from '../findings/finding.js';
import type { Profile } from '../model/profile.js';
import type { CheckResult, DriveResult, NodeResult, Verdict } from '../model/result.js';
import { LAYERS, type LayerOutcome } from './layers.js';
import { rawProbeWarning } from './messages.js';
import { qemuFeatures } from '../qemu/features.js';
import { judgeAttachments } from './devices.js';
import { observations } from './observations.js';
import { printedError } from './printed.js';

/** A node failure on its way to stderr: the node, the path of parents above it and QEMU's text. */
export interface NodeFailure {
  node: BlockNode;
  path: BlockNode[];
  outcome: LayerOutcome;
}

interface Walk {
  profile: Profile;
  enforces: boolean;
  results: NodeResult[];
  findings: Finding[];
  /** Lines printed while the drive opens (warnings, hints), up to the first failure. */
  printed: string[];
  failure?: NodeFailure;
}

/** Judges every node of every drive, in the order the real program opens them; the first failure is what it prints. */
export function evaluate(plan: Plan, profile: Profile): CheckResult {
  const enforces = plan.kind === 'hypervisor' || profile.qemu.whitelist.tools;
  const messages: string[] = [];
  const drives: DriveResult[] = [];
  let failed = false;
  for (const drive of plan.drives) {
    const walk: Walk = { profile, enforces, results: [], findings: [], printed: [] };
    visit(drive.root, [], drive.root.readOnly, walk);
    const device = walk.failure ? undefined : judgeAttachments(drive, walk.results, profile);
    const findings = [
      ...walk.findings,
      ...(device ? [device.finding] : []),
      ...observations(drive, walk, plan, profile),
    ];
    const verdict = driveVerdict(drive, walk, device !== undefined);
    if (!failed) {
      messages.push(...walk.printed);
      if (walk.failure) messages.push(...printedError(plan, drive, walk.failure, profile));
      else if (device) messages.push(...device.message(plan.program));
    }
    failed ||= verdict === 'fails';
    drives.push({ drive, verdict, nodes: walk.results, findings });
  }
  return {
    plan,
    profile: profile.name,
    verdict: overall(drives),
    drives,
    messages,
    findings: drives.flatMap((d) => d.findings),
  };
}

/**
 * File child first, then the node itself, then what its driver opens, then its backing file (block.c
 * bdrv_open_inherit). `path` is the stack of parents, pushed and popped in place (a 1,000-deep chain stays linear);
 * a failure keeps a copy.
 */
function visit(node: BlockNode, path: BlockNode[], inheritedRo: boolean, walk: Walk): boolean {
  if (node.reference !== undefined) return node.readOnly;
  const first = node.children.filter((c) => c.childRole === 'snapshot-base' || c.childRole === 'file');
  const later = node.children.filter((c) => !first.includes(c) && c.childRole !== 'backing');
  const backing = node.children.filter((c) => c.childRole === 'backing');
  path.push(node);
  for (const child of first) visit(child, path, child.readOnly, walk);
  path.pop();
  const readOnly = node.readOnly || inheritedRo;
  const effectiveRo = judgeNode(node, path, readOnly, walk, walk.failure !== undefined);
  path.push(node);
  for (const child of later) visit(child, path, child.readOnly || effectiveRo, walk);
  for (const child of backing) visit(child, path, child.readOnly, walk);
  path.pop();
  return effectiveRo;
}

function judgeNode(node: BlockNode, path: BlockNode[], readOnly: boolean, walk: Walk, notReached: boolean): boolean {
  let effectiveRo = readOnly;
  let failedHere: LayerOutcome | undefined;
  for (const check of LAYERS) {
    const found = check({ node, readOnly: effectiveRo, profile: walk.profile, enforces: walk.enforces });
    if (!found) continue;
    walk.findings.push(found.finding);
    if (found.fallsBackToReadOnly) effectiveRo = true;
    if (found.error) {
      failedHere = found;
      break;
    }
  }
  if (
    !notReached &&
    !failedHere &&
    node.selectedBy === 'probe' &&
    node.driver === 'raw' &&
    !effectiveRo &&
    node.filename &&
    qemuFeatures(walk.profile.qemu).rawProbeWarning
  ) {
    walk.printed.push(...rawProbeWarning(node.filename));
  }
  if (failedHere && !notReached) {
    walk.printed.push(...(failedHere.before ?? []));
    walk.failure = { node, path: [...path], outcome: failedHere };
  }
  walk.results.push({
    id: node.id,
    driver: node.driver,
    role: node.role,
    ...(node.filename !== undefined ? { filename: node.filename } : {}),
    requested: readOnly ? 'ro' : 'rw',
    ...(failedHere ? {} : { access: effectiveRo ? 'ro' : 'rw' }),
    verdict: failedHere ? 'fails' : notReached ? 'not-reached' : 'opens',
    decidedBy: failedHere?.layer ?? 'whitelist',
  });
  return effectiveRo;
}

function driveVerdict(drive: Drive, walk: Walk, deviceFails: boolean): Verdict {
  if (walk.failure || deviceFails) return 'fails';
  const root = walk.results.find((r) => r.id === drive.root.id);
  return root && root.requested === 'rw' && root.access === 'ro' ? 'opens-read-only' : 'opens';
}

function overall(drives: DriveResult[]): Verdict {
  if (drives.some((d) => d.verdict === 'fails')) return 'fails';
  return drives.some((d) => d.verdict === 'opens-read-only') ? 'opens-read-only' : 'opens';
}
