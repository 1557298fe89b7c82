import type { CheckResult } from '../model/result.js';
import type { Agreement, Reality } from '../engine/reality.js';
import { openedNodes } from '../engine/reality.js';
import type { Paint } from './paint.js';

export interface VerifyReport {
  program: string;
  predicted: CheckResult;
  real: Reality & { exitCode: number | null; trace: string[] };
  agreement: Agreement;
}

/** Prediction and reality side by side: verdict, opened nodes, stderr, then the open order from the trace. */
export function verifyText(r: VerifyReport, paint: Paint): string {
  const width = 44;
  const row = (left: string, right: string) => `  ${left.padEnd(width)} ${right}`;
  const want = openedNodes(r.predicted);
  const got = r.real.nodes.map((n) => `${n.driver}:${n.readOnly ? 'ro' : 'rw'}`).sort();
  const stderrLines = r.real.stderr.split('\n').filter((l) => l !== '');
  const lines = [
    row(paint.bold(`predicted (${r.predicted.profile})`), paint.bold(`real (${r.program})`)),
    row(`verdict: ${r.predicted.verdict}`, r.real.started ? 'started' : `refused to start (exit ${r.real.exitCode})`),
    '',
    '  opened nodes:',
    ...Array.from({ length: Math.max(want.length, got.length, 1) }, (_, i) =>
      row(want[i] ?? (i === 0 ? '(none)' : ''), got[i] ?? (i === 0 ? '(none)' : '')),
    ),
    '',
    '  stderr:',
    ...(r.predicted.messages.length + stderrLines.length === 0 ? [row('(none)', '(none)')] : []),
    ...r.predicted.messages.map((m) => `  < ${m}`),
    ...stderrLines.map((m) => `  > ${m}`),
  ];
  if (r.real.trace.length > 0)
    lines.push('', '  bdrv_open_common trace (open order, access asked for):', ...r.real.trace.map((t) => `    ${t}`));
  lines.push(
    '',
    r.agreement.agree
      ? paint.green(
          r.agreement.network
            ? 'AGREE (the run stopped at a network connection; every layer blockgate judges passed)'
            : 'AGREE',
        )
      : paint.red(`DIFFER\n${r.agreement.differences.map((d) => `  - ${d}`).join('\n')}`),
  );
  return lines.join('\n');
}

export function verifyJson(r: VerifyReport): string {
  return JSON.stringify(
    {
      blockgate: 1,
      agree: r.agreement.agree,
      differences: r.agreement.differences,
      predicted: {
        profile: r.predicted.profile,
        verdict: r.predicted.verdict,
        messages: r.predicted.messages,
        nodes: openedNodes(r.predicted),
      },
      real: {
        started: r.real.started,
        exitCode: r.real.exitCode,
        stderr: r.real.stderr,
        nodes: r.real.nodes,
        trace: r.real.trace,
      },
    },
    null,
    2,
  );
}
