import type { CheckResult } from '../model/result.js';
import type { Finding } from '../findings/finding.js';
import { describe } from '../findings/catalog.js';

/** Bumped when a field changes meaning or goes away; new fields do not bump it. Documented in docs/json-output.md. */
export const JSON_FORMAT_VERSION = 1;

export function checkJson(result: CheckResult): string {
  return JSON.stringify(
    {
      blockgate: JSON_FORMAT_VERSION,
      profile: result.profile,
      program: result.plan.program,
      ...(result.plan.subcommand ? { subcommand: result.plan.subcommand } : {}),
      verdict: result.verdict,
      messages: result.messages,
      nodes: nodeRows(result),
      drives: result.drives.map((d) => ({
        location: d.drive.location,
        kind: d.drive.kind,
        ...(d.drive.id ? { id: d.drive.id } : {}),
        verdict: d.verdict,
        devices: d.drive.attachments.map((a) => ({ kind: a.kind, origin: a.origin })),
        nodes: d.nodes.map((n) => n.id),
      })),
      findings: result.findings.map(findingJson),
    },
    null,
    2,
  );
}

export function nodeRows(result: CheckResult) {
  return result.drives.flatMap((d) => d.nodes.map((n) => ({ drive: d.drive.location, ...n })));
}

export function findingJson(f: Finding) {
  const text = describe(f);
  return { ...f, title: text.title, message: text.message, fix: text.fix, docs: text.docs };
}
