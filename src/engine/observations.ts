import type { BlockNode, Drive, Plan } from '../model/node.js';
import type { Finding } from '../findings/finding.js';
import type { Profile } from '../model/profile.js';
import { driverRole } from '../qemu/drivers.js';

/** Drivers that reach over the network: blockgate cannot know whether the far end answers. */
const REMOTE = [
  'nbd',
  'http',
  'https',
  'ftp',
  'ftps',
  'ssh',
  'iscsi',
  'iser',
  'rbd',
  'gluster',
  'nfs',
  'sheepdog',
  'vxhs',
];

/** Findings that are not a layer's verdict on one node: how formats were chosen, what the tools skip. */
export function observations(drive: Drive, walk: { findings: Finding[] }, plan: Plan, profile: Profile): Finding[] {
  const out: Finding[] = [];
  for (const node of nodesOf(drive.root)) {
    if (node.selectedBy === 'probe' && driverRole(node.driver) === 'format' && probedLocally(node))
      out.push(probed(node));
    if (REMOTE.includes(node.driver))
      out.push(info('remote-not-checked', 'network', node, { driver: node.driver, filename: node.filename ?? '' }));
    const skipped = toolSkipsWhitelist(node, plan, profile, walk.findings);
    if (skipped) out.push(skipped);
  }
  return out;
}

/** Probing findings speak of a header blockgate read: a local file that exists. */
function probedLocally(node: BlockNode): boolean {
  const file = node.children.find((c) => c.childRole === 'file');
  return file?.driver === 'file' && file.exists === true && !file.planError;
}

function probed(node: BlockNode): Finding {
  const alternatives = node.probeAlternatives ?? [];
  // raw-format.c restricts block 0 and warns only for a read-write open.
  const severity = alternatives.length > 1 || (node.driver === 'raw' && !node.readOnly) ? 'warning' : 'info';
  const code = node.driver === 'raw' ? 'raw-probed' : 'format-probed';
  return {
    code,
    severity,
    layer: 'probe',
    node: node.id,
    args: { driver: node.driver, filename: node.filename ?? '', alternatives: alternatives.join(',') },
  };
}

/** The tools ignore the whitelist unless built with --enable-block-drv-whitelist-in-tools: say what the hypervisor would do. */
function toolSkipsWhitelist(node: BlockNode, plan: Plan, profile: Profile, found: Finding[]): Finding | undefined {
  const { rw, ro, tools } = profile.qemu.whitelist;
  if (plan.kind !== 'tool' || tools || (rw.length === 0 && ro.length === 0) || rw.includes(node.driver))
    return undefined;
  if (found.some((f) => f.node === node.id && f.severity === 'error')) return undefined;
  const hypervisor =
    node.readOnly && ro.includes(node.driver) ? 'opens' : ro.includes(node.driver) ? 'read-only only' : 'refused';
  if (hypervisor === 'opens') return undefined;
  return info('tools-skip-whitelist', 'whitelist', node, { driver: node.driver, program: plan.program, hypervisor });
}

function info(code: Finding['code'], layer: Finding['layer'], node: BlockNode, args: Record<string, string>): Finding {
  return { code, severity: 'info', layer, node: node.id, args };
}

/** Every node of the tree, parents first; one array for the whole walk, so a 1,000-deep chain stays linear. */
export function nodesOf(node: BlockNode, into: BlockNode[] = []): BlockNode[] {
  if (node.reference !== undefined) return into;
  into.push(node);
  for (const child of node.children) nodesOf(child, into);
  return into;
}
