import type { Paint } from './paint.js';
import { JSON_FORMAT_VERSION } from './json.js';
import type { ExplainResult, Explanation } from '../explain/explain.js';

const SEVERITY: Record<Explanation['severity'], keyof Paint> = { error: 'red', warning: 'yellow', info: 'dim' };

export function explainText(result: ExplainResult, paint: Paint, version: string): string {
  const out = [paint.dim(`fixes for profile ${result.profile} (QEMU ${version})`), ''];
  for (const e of result.explained) {
    const [first = '', ...more] = e.text.split('\n');
    out.push(`${e.line === undefined ? '' : `line ${e.line}: `}${paint.bold(first)}`, ...more.map((l) => `  ${l}`));
    out.push(
      `  ${paint[SEVERITY[e.severity]](e.severity)} ${e.code}: ${e.title}  (layer: ${e.layer}, program: ${e.program}${e.args['via'] ? `, via ${e.args['via']}` : ''})`,
    );
    out.push(`  cause: ${e.cause}`);
    for (const note of e.notes) out.push(`  note: ${note}`);
    for (const fix of e.fixes) out.push(`  fix: ${fix}`);
    out.push(`  see: ${e.docs}`, '');
  }
  for (const r of result.recognised) {
    out.push(`${r.line === undefined ? '' : `line ${r.line}: `}${paint.bold(r.text.split('\n')[0] ?? '')}`);
    out.push(`  recognised (${r.kind}, printed by ${r.program}), but blockgate has no finding for it yet`, '');
  }
  return out.join('\n').trimEnd();
}

export function explainJson(result: ExplainResult): string {
  return JSON.stringify(
    {
      blockgate: JSON_FORMAT_VERSION,
      profile: result.profile,
      explained: result.explained,
      recognised: result.recognised,
    },
    null,
    2,
  );
}

/** Nothing recognised: say so, and point at the command that can predict instead. */
export function unknownText(input: string): string {
  const first = input.split('\n').find((l) => l.trim() !== '') ?? '';
  return [
    `blockgate does not know this message: ${first.length > 200 ? `${first.slice(0, 200)}...` : first}`,
    'It knows the refusals of QEMU (system emulator, qemu-img, qemu-io, qemu-nbd), libvirt, libguestfs, virt-v2v and nbdkit.',
    'To predict what the command would do on a profile instead: blockgate check [--profile NAME] -- <the command>',
  ].join('\n');
}
