import { DIFF_AREAS, type Difference } from '../engine/profile-diff.js';
import type { Paint } from './paint.js';

/** `rhel-8 -> rhel-9`, then one line per area: "- ssh" lost, "+ vdi" gained. */
export function diffText(from: string, to: string, diffs: Difference[], paint: Paint): string {
  if (diffs.length === 0) return `${from} and ${to}: no differences in the QEMU facts`;
  const lines = [paint.bold(`${from} -> ${to}`)];
  for (const { area, title } of DIFF_AREAS) {
    const here = diffs.filter((d) => d.area === area);
    if (here.length > 0) lines.push(`  ${title}: ${here.map((d) => describe(d, paint)).join('  ')}`);
  }
  return lines.join('\n');
}

export function describe(d: Difference, paint: Paint): string {
  if (d.change === 'changed') return `${d.subject ? `${d.subject} ` : ''}${d.from} -> ${d.to}`;
  return d.change === 'lost' ? paint.red(`- ${d.subject}`) : paint.green(`+ ${d.subject}`);
}

export function diffJson(from: string, to: string, diffs: Difference[]): string {
  return JSON.stringify({ blockgate: 1, from, to, same: diffs.length === 0, differences: diffs }, null, 2);
}
