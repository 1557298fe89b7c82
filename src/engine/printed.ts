import type { BlockNode, Drive, ErrorStyle, Plan } from '../model/node.js';
import type { Profile } from '../model/profile.js';
import type { NodeFailure } from './evaluate.js';
import { nestedText, systemErrorLine } from './messages.js';

type Line = (program: string, drive: Drive, text: string) => string[];

/** How each program words an open error (docs/research/qemu-tools-open-modes.md §6). */
const TOOL_LINES: Record<Exclude<ErrorStyle, 'system'>, Line> = {
  'img-open': (p, d, t) => [`${p}: Could not open '${d.location}': ${t}`],
  'img-chain-element': (p, d, t) => [`${p}: Could not open '${d.location}': ${t}`],
  'img-create': (p, d, t) => [
    `${p}: ${d.errorSubject ?? d.location}: ${t}`,
    ...(d.created ? [] : ['Could not open backing image.']),
  ],
  'img-new-backing': (p, d, t) => [`${p}: Could not open new backing file '${d.location}': ${t}`],
  io: (p, d, t) => [`${p}: can't open device ${d.location}: ${t}`],
  'io-image-opts': (p, _d, t) => [`${p}: can't open: ${t}`],
  nbd: (p, d, t) => [`${p}: Failed to blk_new_open '${d.location}': ${t}`],
  'storage-daemon': (p, d, t) => [`${p}: ${d.location}: ${t}`],
};

/** The stderr lines of the first failure, exactly as the real program prints them. */
export function printedError(plan: Plan, drive: Drive, failure: NodeFailure, profile: Profile): string[] {
  const path = [...failure.path, failure.node];
  const error = failure.outcome.error ?? '';
  if (drive.errorStyle === 'system') {
    const file = drive.kind === '-drive' && !failure.outcome.beforeOpen ? drive.errorSubject : undefined;
    return [systemErrorLine(profile.qemu, plan.program, drive.location, file, nestedText(path, error))];
  }
  if (drive.errorStyle === 'img-chain-element') return chainElementError(plan.program, drive, path, error);
  return TOOL_LINES[drive.errorStyle](plan.program, drive, nestedText(path, error));
}

/** qemu-img info --backing-chain opens each image of the chain on its own: errors name that image, with no backing prefix. */
function chainElementError(program: string, drive: Drive, path: BlockNode[], error: string): string[] {
  const lastBacking = path
    .map((n, i) => ({ n, i }))
    .filter(({ n }) => n.childRole === 'backing')
    .at(-1);
  const element = lastBacking?.n.filename ?? drive.location;
  const rest = lastBacking ? path.slice(lastBacking.i + 1) : path;
  return [`${program}: Could not open '${element}': ${nestedText(rest, error)}`];
}
