import { DIFF_AREAS, type DiffArea, type Difference } from '../engine/profile-diff.js';

/** Areas a comparison of two profiles covers; the gate adds 'probe' and drops 'version'. */
export const COMPARED: DiffArea[] = DIFF_AREAS.map((a) => a.area).filter((a) => a !== 'probe');
import { describe } from './diff.js';
import type { Paint } from './paint.js';
import type { FindingsReport, Issue } from './format.js';

const plain: Paint = { bold: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s, dim: (s) => s };

/** One JUnit test case per fact area, failed when that area drifted: the shape Jenkins, GitLab and GitHub read. */
export function diffJunit(suite: string, expected: string, diffs: Difference[], areas: DiffArea[] = COMPARED): string {
  const checked = DIFF_AREAS.filter(({ area }) => areas.includes(area));
  const cases = checked.map(({ area, title }) => {
    const here = diffs.filter((d) => d.area === area);
    const name = `${title} matches ${expected}`;
    if (here.length === 0) return `    <testcase classname="${xml(suite)}" name="${xml(name)}"/>`;
    const text = here.map((d) => describe(d, plain)).join('\n');
    return [
      `    <testcase classname="${xml(suite)}" name="${xml(name)}">`,
      `      <failure message="${xml(`${here.length} difference(s) in the ${title}`)}" type="drift">${xml(text)}</failure>`,
      '    </testcase>',
    ].join('\n');
  });
  const failures = checked.filter(({ area }) => diffs.some((d) => d.area === area)).length;
  return document(suite, checked.length, failures, cases);
}

/** The one suite inside <testsuites>, as Jenkins, GitLab and GitHub read it. */
function document(suite: string, tests: number, failures: number, cases: string[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="blockgate" tests="${tests}" failures="${failures}" errors="0">`,
    `  <testsuite name="${xml(suite)}" tests="${tests}" failures="${failures}" errors="0" skipped="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/**
 * One test case per subject (drive, image, pipeline step), failed when the subject fails; every issue of the
 * subject, warnings and infos included, in the failure text or in system-out.
 */
export function findingsJunit(report: FindingsReport): string {
  const failures = report.subjects.filter((s) => s.failed).length;
  const cases = report.subjects.flatMap((s) => {
    const head = `    <testcase classname="${xml(report.suite)}" name="${xml(s.name)}"`;
    if (s.issues.length === 0) return [`${head}/>`];
    const text = xml(s.issues.map(issueLine).join('\n'));
    const first = s.issues.find((i) => i.severity === 'error') ?? s.issues[0];
    return [
      `${head}>`,
      s.failed && first
        ? `      <failure message="${xml(`${first.code}: ${first.title}`)}" type="${xml(first.code)}">${text}</failure>`
        : `      <system-out>${text}</system-out>`,
      '    </testcase>',
    ];
  });
  return document(report.suite, report.subjects.length, failures, cases);
}

function issueLine(i: Issue): string {
  const where = [i.step, i.node].filter(Boolean).join(' ');
  return [
    `${i.severity} ${i.code}${where ? ` [${where}]` : ''}: ${i.message}`,
    ...(i.fix ? [`  fix: ${i.fix}`] : []),
    ...(i.docs ? [`  see: ${i.docs}`] : []),
  ].join('\n');
}

/** XML 1.0 has no way to write most control characters, even escaped: they become U+FFFD. */
function xml(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids
  text = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd');
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
