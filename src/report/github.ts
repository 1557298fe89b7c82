/**
 * GitHub Actions workflow commands: one annotation per issue, `::error title=T,file=F::MESSAGE` (::warning,
 * ::notice for infos). Escaped as @actions/core's command.ts escapes them (test/unit/report-github.test.ts holds
 * the two equal); properties in its order, title before file.
 */
import type { Severity } from '../findings/finding.js';
import type { FindingsReport } from './format.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

export function githubCommands(report: FindingsReport): string {
  const lines = report.subjects.flatMap((subject) =>
    subject.issues.map((issue) => {
      const file = issue.file ?? subject.file;
      const where = [...new Set([subject.name, issue.step, issue.node].filter((x): x is string => !!x))].join(' ');
      const props = [
        `title=${escapeProperty(`${issue.title} (${issue.code})`)}`,
        ...(file ? [`file=${escapeProperty(file)}`] : []),
        ...(file && issue.line ? [`line=${issue.line}`] : []),
      ];
      const message = `${where}: ${issue.message}${issue.fix ? `\nfix: ${issue.fix}` : ''}${issue.docs ? `\nsee: ${issue.docs}` : ''}`;
      return `::${COMMAND[issue.severity]} ${props.join(',')}::${escapeData(message)}`;
    }),
  );
  return lines.join('\n');
}

export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
