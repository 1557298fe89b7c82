import type { StackResult } from '../model/stack.js';

import { checkText, findingLines, verdictWord } from './text.js';
import { JSON_FORMAT_VERSION, nodeRows, findingJson } from './json.js';
import type { Paint } from './paint.js';

/** Each step of the pipeline with its verdict, what its program prints and its QEMU node trees; then every finding. */
export function stackText(result: StackResult, paint: Paint): string {
  const lines: string[] = [];
  for (const { step, check, verdict } of result.steps) {
    lines.push(`${verdictWord(verdict, paint)}  ${paint.bold(step.id)}: ${step.summary} (${step.program})`);
    const printed = (step.messages ?? []).flatMap((m) => m.split('\n'));
    if (printed.length > 0)
      lines.push(`  ${paint.bold(step.program)} would print:`, ...printed.map((m) => (m ? `    ${m}` : '')));
    if (check)
      lines.push(
        ...checkText(check, paint, { findings: false })
          .split('\n')
          .map((l) => (l ? `  ${l}` : l)),
      );
    lines.push('');
  }
  lines.push(`${paint.bold('verdict')}: ${verdictWord(result.verdict, paint)} on ${result.profile}`);
  if (result.findings.length > 0)
    lines.push('', paint.bold('findings:'), ...result.findings.flatMap((f) => findingLines(f, paint)));
  return lines.join('\n');
}

export function stackJson(result: StackResult): string {
  return JSON.stringify(
    {
      blockgate: JSON_FORMAT_VERSION,
      profile: result.profile,
      tool: result.plan.tool,
      verdict: result.verdict,
      steps: result.steps.map(({ step, check, verdict }) => ({
        id: step.id,
        program: step.program,
        summary: step.summary,
        verdict,
        messages: [...(step.messages ?? []), ...(check?.messages ?? [])],
        ...(check ? { qemu: { program: check.plan.program, nodes: nodeRows(check) } } : {}),
      })),
      findings: result.findings.map(findingJson),
    },
    null,
    2,
  );
}
