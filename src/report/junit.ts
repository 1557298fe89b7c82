import { DIFF_AREAS, type DiffArea, type Difference } from '../engine/profile-diff.js';

/** Areas a comparison of two profiles covers; the gate adds 'probe' and drops 'version'. */
const COMPARED: DiffArea[] = DIFF_AREAS.map((a) => a.area).filter((a) => a !== 'probe');
import { describe } from './diff.js';
import type { Paint } from './paint.js';

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
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="blockgate" tests="${checked.length}" failures="${failures}" errors="0">`,
    `  <testsuite name="${xml(suite)}" tests="${checked.length}" failures="${failures}" errors="0" skipped="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
