import type { BlockNode } from '../model/node.js';
import type { CheckResult, DriveResult, NodeResult } from '../model/result.js';
import type { Finding } from '../findings/finding.js';
import { describe } from '../findings/catalog.js';
import type { Paint } from './paint.js';

const VERDICT_WORDS = { opens: 'OPENS', 'opens-read-only': 'OPENS READ-ONLY', fails: 'FAILS' } as const;

/** One tree per drive, each node with driver, access, verdict and deciding layer; then what the program prints, then findings. */
export function checkText(result: CheckResult, paint: Paint, show = { findings: true }): string {
  const lines: string[] = [];
  for (const drive of result.drives) lines.push(...driveTree(drive, paint), '');
  lines.push(`${paint.bold('verdict')}: ${verdictWord(result.verdict, paint)} on ${result.profile}`);
  if (result.messages.length > 0) {
    lines.push('', `${paint.bold(result.plan.program)} would print:`, ...result.messages.map((m) => `  ${m}`));
  }
  const findings = result.findings.filter((f) => f.severity !== 'info' || result.findings.length < 8);
  if (show.findings && findings.length > 0)
    lines.push('', paint.bold('findings:'), ...findings.flatMap((f) => findingLines(f, paint)));
  return lines.join('\n');
}

function driveTree(drive: DriveResult, paint: Paint): string[] {
  const byId = new Map(drive.nodes.map((n) => [n.id, n]));
  const devices = drive.drive.attachments.map((a) => a.origin).join(', ');
  const head = `${verdictWord(drive.verdict, paint)}  ${drive.drive.location}${devices ? `  (device: ${devices})` : ''}`;
  return [
    head,
    `  ${describeNode(drive.drive.root, byId.get(drive.drive.root.id), paint)}`,
    ...childLines(drive.drive.root, byId, '  ', paint),
  ];
}

function childLines(node: BlockNode, byId: Map<string, NodeResult>, indent: string, paint: Paint): string[] {
  return node.children.flatMap((child, i) => {
    const last = i === node.children.length - 1;
    const line = `${indent}${last ? '└─ ' : '├─ '}${describeNode(child, byId.get(child.id), paint)}`;
    return [line, ...childLines(child, byId, indent + (last ? '   ' : '│  '), paint)];
  });
}

function describeNode(node: BlockNode, result: NodeResult | undefined, paint: Paint): string {
  const role = node.childRole && node.childRole !== 'file' ? `${node.childRole} ` : '';
  const name = node.filename ? ` ${node.filename}` : '';
  if (!result) return `${role}${node.driver}${name}`;
  const access =
    result.access && result.access !== result.requested ? `${result.requested}→${result.access}` : result.requested;
  const verdict =
    result.verdict === 'fails'
      ? paint.red(`fails at ${result.decidedBy}`)
      : result.verdict === 'not-reached'
        ? paint.dim('not reached')
        : paint.green('opens');
  return `${role}${paint.bold(node.driver)} (${node.role}, ${access})${name}  ${verdict}`;
}

export function findingLines(finding: Finding, paint: Paint): string[] {
  const text = describe(finding);
  const tag =
    finding.severity === 'error'
      ? paint.red('error')
      : finding.severity === 'warning'
        ? paint.yellow('warning')
        : paint.dim('info');
  return [
    `  ${tag} ${finding.code}${finding.node ? ` [${finding.node}]` : ''}: ${text.message}`,
    `      fix: ${text.fix}`,
    `      see: ${text.docs}`,
  ];
}

export function verdictWord(verdict: CheckResult['verdict'], paint: Paint): string {
  const word = VERDICT_WORDS[verdict];
  return verdict === 'fails' ? paint.red(word) : verdict === 'opens' ? paint.green(word) : paint.yellow(word);
}
