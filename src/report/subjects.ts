/** Each command's result as a FindingsReport: the subjects (drives, steps, images, areas) and their worded issues. */
import type { CheckResult, DriveResult } from '../model/result.js';
import type { StackResult } from '../model/stack.js';
import type { Finding, Severity } from '../findings/finding.js';
import type { Difference } from '../engine/profile-diff.js';
import { DIFF_AREAS } from '../engine/profile-diff.js';
import { describe } from '../findings/catalog.js';
import { isLocalPath } from '../qemu/filename.js';
import { describe as describeDifference } from './diff.js';
import { failsOn, type FindingsReport, type Issue, type Subject } from './format.js';
import type { Paint } from './paint.js';

const plain: Paint = { bold: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s, dim: (s) => s };

/** A catalog finding with its wording; `file` is the local file of the node it is about, if any. */
export function findingIssue(f: Finding, file?: string): Issue {
  const text = describe(f);
  return {
    code: f.code,
    severity: f.severity,
    title: text.title,
    message: text.message,
    fix: text.fix,
    docs: text.docs,
    ...(f.node ? { node: f.node } : {}),
    ...(f.step ? { step: f.step } : {}),
    ...(file ? { file } : {}),
  };
}

/** One subject per drive; findings about no drive (the program's own) go to a subject named after the program. */
export function checkReport(result: CheckResult, cwd: string, strict?: boolean): FindingsReport {
  return { suite: `blockgate check ${result.profile}`, cwd, subjects: checkSubjects(result, strict) };
}

export function checkSubjects(result: CheckResult, strict?: boolean, prefix = ''): Subject[] {
  const files = localFiles(result);
  const drives: Subject[] = result.drives.map((d) => driveSubject(d, files, strict, prefix));
  const inDrives = new Set(result.drives.flatMap((d) => d.findings));
  const rest = result.findings.filter((f) => !inDrives.has(f));
  if (rest.length > 0 || drives.length === 0) {
    const issues = rest.map((f) => findingIssue(f, f.node ? files.get(f.node) : undefined));
    drives.push({
      name: `${prefix}${result.plan.program}`,
      kind: 'run',
      issues,
      failed: failsOn(issues, strict) || (drives.length === 0 && result.verdict === 'fails'),
    });
  }
  return drives;
}

function driveSubject(
  d: DriveResult,
  files: Map<string, string>,
  strict: boolean | undefined,
  prefix: string,
): Subject {
  const issues = d.findings.map((f) => findingIssue(f, f.node ? files.get(f.node) : undefined));
  return {
    name: `${prefix}${d.drive.location}`,
    kind: 'drive',
    issues,
    failed: d.verdict === 'fails' || failsOn(issues, strict),
  };
}

/** Node id -> the local file it reads (file:NAME included), for findings' physical locations. */
function localFiles(result: CheckResult): Map<string, string> {
  const files = new Map<string, string>();
  for (const n of result.drives.flatMap((d) => d.nodes)) {
    const name = n.filename?.startsWith('file:') ? n.filename.slice(5) : n.filename;
    if (name && (isLocalPath(name) || n.filename !== name)) files.set(n.id, name);
  }
  return files;
}

/** One subject per pipeline step; with --domain, every issue points at the domain XML. */
export function stackReport(result: StackResult, cwd: string, strict?: boolean, domainFile?: string): FindingsReport {
  const subjects = result.steps.map(({ step, check, verdict, findings }): Subject => {
    const files = check ? localFiles(check) : new Map<string, string>();
    const issues = findings.map((f) => findingIssue(f, domainFile ?? (f.node ? files.get(f.node) : undefined)));
    return {
      name: step.id,
      kind: 'step',
      ...(domainFile ? { file: domainFile } : {}),
      issues,
      failed: verdict === 'fails' || failsOn(issues, strict),
    };
  });
  return { suite: `blockgate check ${result.plan.tool} ${result.profile}`, cwd, subjects };
}

/** gate and diff: one subject per fact area compared, one error issue per difference in it. */
export function driftReport(
  suite: string,
  expected: string,
  diffs: Difference[],
  areas: readonly string[],
  cwd: string,
): FindingsReport {
  const subjects = DIFF_AREAS.filter(({ area }) => areas.includes(area)).map(({ area, title }): Subject => {
    const issues = diffs
      .filter((d) => d.area === area)
      .map(
        (d): Issue => ({
          code: `drift-${area}`,
          severity: 'error' as Severity,
          title: `${title} differs from ${expected}`,
          message: describeDifference(d, plain),
        }),
      );
    return { name: title, kind: 'area', issues, failed: issues.length > 0 };
  });
  return { suite, cwd, subjects };
}
