/** Waivers on a `check` result: what each finding is about, read from the drives and nodes it came with. */
import type { Finding } from '../findings/finding.js';
import type { CheckResult } from '../model/result.js';
import { type Applied, type ApplyOptions, applyWaivers } from './apply.js';
import type { FindingFacts, Waived, Waiver } from './waiver.js';

export type WaivedFinding = Finding & { waived?: Waived };

/**
 * A Finding carries only its node id: the drive is the drive whose findings hold it (its root node id, which is
 * -drive id=, QEMU's default id such as ide0-hd0, -blockdev node-name= or a tool's image0); the driver and the
 * image path are the node's (`file:` taken off the path, as the reports' file locations do).
 */
export function checkFacts(result: CheckResult): (finding: Finding) => FindingFacts {
  const nodes = new Map(result.drives.flatMap((d) => d.nodes.map((n) => [n.id, n] as const)));
  const drives = new Map(result.drives.flatMap((d) => d.findings.map((f) => [f, d.drive.root.id] as const)));
  return (finding) => {
    const node = finding.node === undefined ? undefined : nodes.get(finding.node);
    const drive = drives.get(finding);
    const driver = node?.driver || finding.args['driver'];
    const image = node?.filename?.replace(/^file:/, '');
    return {
      ...(drive !== undefined ? { drive } : {}),
      ...(driver ? { driver } : {}),
      ...(image ? { image } : {}),
    };
  };
}

/**
 * The result with every finding a live waiver matches marked, in `findings` and in its drive alike (the reports
 * tell the drives' findings from the program's own by identity), plus the waivers' own findings.
 */
export function waiveCheck(
  result: CheckResult,
  waivers: readonly Waiver[],
  options: Omit<ApplyOptions<Finding>, 'facts'>,
): { result: Omit<CheckResult, 'findings' | 'drives'> & WaivedFindings; waiverFindings: Finding[] } {
  const applied: Applied<Finding> = applyWaivers(result.findings, waivers, {
    profile: result.profile,
    program: result.plan.program,
    ...options,
    facts: checkFacts(result),
  });
  const marked = new Map(result.findings.map((f, i) => [f, applied.findings[i] ?? f]));
  const drives = result.drives.map((d) => ({ ...d, findings: d.findings.map((f) => marked.get(f) ?? f) }));
  return { result: { ...result, drives, findings: applied.findings }, waiverFindings: applied.waiverFindings };
}

interface WaivedFindings {
  findings: WaivedFinding[];
  drives: (CheckResult['drives'][number] & { findings: WaivedFinding[] })[];
}
