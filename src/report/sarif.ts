/**
 * SARIF 2.1.0 (OASIS), the log GitHub code scanning and other viewers read: one run, one rule per finding code
 * (title and docs page), one result per finding. Findings about a local file carry it as a physical location;
 * drives, images, pipeline steps and block nodes are logical locations.
 */
import type { Severity } from '../findings/finding.js';
import type { FindingsReport, Issue, Subject } from './format.js';

export interface ToolMeta {
  version: string;
  /** Absolute URI of the project (the package's homepage, or the installed package folder). */
  informationUri: string;
  /** Absolute URI, ending in '/', that docs/findings/CODE.md is resolved against. */
  docsBase: string;
}

export const SARIF_SCHEMA =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
const KIND: Record<Subject['kind'], string> = {
  drive: 'resource',
  image: 'resource',
  step: 'module',
  area: 'namespace',
  run: 'module',
};
/** The uriBaseId of relative file names: the folder the judged command runs in (-C). */
const CWD = 'CWD';

export function sarifLog(report: FindingsReport, meta: ToolMeta): string {
  const issues = report.subjects.flatMap((subject) => subject.issues.map((issue) => ({ subject, issue })));
  const rules = [...new Map(issues.map(({ issue }) => [issue.code, issue])).values()].map((i) => rule(i, meta));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return JSON.stringify(
    {
      $schema: SARIF_SCHEMA,
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'blockgate', version: meta.version, informationUri: meta.informationUri, rules } },
          automationDetails: { id: `${report.suite}/` },
          originalUriBaseIds: { [CWD]: { uri: fileUri(report.cwd.endsWith('/') ? report.cwd : `${report.cwd}/`) } },
          results: issues.map(({ subject, issue }) => ({
            ruleId: issue.code,
            ruleIndex: index.get(issue.code),
            level: LEVEL[issue.severity],
            message: { text: issue.fix ? `${issue.message}\nfix: ${issue.fix}` : issue.message },
            locations: [location(subject, issue)],
          })),
        },
      ],
    },
    null,
    2,
  );
}

function rule(issue: Issue, meta: ToolMeta) {
  return {
    id: issue.code,
    shortDescription: { text: issue.title },
    ...(issue.docs ? { helpUri: new URL(issue.docs, meta.docsBase).href } : {}),
    defaultConfiguration: { level: LEVEL[issue.severity] },
  };
}

function location(subject: Subject, issue: Issue) {
  const file = issue.file ?? subject.file;
  const where = [...new Set([subject.name, issue.step, issue.node].filter((x): x is string => !!x))];
  return {
    ...(file
      ? {
          physicalLocation: {
            artifactLocation: artifact(file),
            ...(issue.line ? { region: { startLine: issue.line } } : {}),
          },
        }
      : {}),
    logicalLocations: [
      {
        name: where.at(-1) ?? subject.name,
        fullyQualifiedName: where.join(' > '),
        kind: issue.node ? 'object' : KIND[subject.kind],
      },
    ],
  };
}

function artifact(file: string) {
  return file.startsWith('/') ? { uri: fileUri(file) } : { uri: encodePath(file), uriBaseId: CWD };
}

function fileUri(absolute: string): string {
  return `file://${encodePath(absolute)}`;
}

/** Each path segment percent-encoded, so that spaces, '#' and '?' in file names stay part of the name. */
function encodePath(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}
