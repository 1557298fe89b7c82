import type { Said } from './said.js';
import type { Recogniser } from './recogniser.js';
import { AFTER_MODULE_HINT, QEMU_CONTINUATIONS, QEMU_TEXTS } from './qemu-texts.js';
import { STACK_CONTINUATIONS, STACK_TEXTS } from './stack-texts.js';
import { qemuContext } from './line-context.js';

/** The message one line carries, wherever it sits in the line (inside a libvirt error, after a timestamp). */
export function recogniseLine(line: string): Said | undefined {
  for (const r of STACK_TEXTS) {
    const m = r.re.exec(line);
    if (m) return stackSaid(r, m, line);
  }
  for (const r of QEMU_TEXTS) {
    const m = r.re.exec(line);
    if (m) return qemuSaid(r, m, line);
  }
  return undefined;
}

function stackSaid(r: Recogniser, m: RegExpExecArray, line: string): Said {
  const program = typeof r.program === 'function' ? r.program(m) : (r.program ?? 'libvirt');
  const start = program === 'libvirt' ? m.index : Math.max(0, line.lastIndexOf(`${program}:`, m.index));
  return { kind: r.kind, program, args: r.args?.(m) ?? {}, text: line.slice(start).trimEnd() };
}

function qemuSaid(r: Recogniser, m: RegExpExecArray, line: string): Said {
  const context = qemuContext(line, m.index, m.index + m[0].length);
  const args = { ...context.args, ...(r.args?.(m) ?? {}) };
  if (r.kind === 'device-read-only' && args['device'] === undefined) args['device'] = deviceOf(args['location']);
  if (r.kind === 'unknown-protocol' && args['protocol'] === undefined) {
    const prefix = /^([\w+-]+):/.exec(args['image'] ?? '');
    if (prefix?.[1]) args['protocol'] = prefix[1];
  }
  return { kind: r.kind, program: context.program ?? 'qemu', args, text: context.text };
}

/** -device ide-hd,drive=d0 names the device; with no location the machine made it from -drive if=ide (§C.8). */
function deviceOf(location: string | undefined): string {
  const device = /^-?-device (?:driver=)?([\w-]+)/.exec(location ?? '');
  return device?.[1] ?? 'ide-hd';
}

export interface Found {
  /** 1-based line number of the message's first line. */
  line: number;
  said: Said;
}

/** Every recognised message of a log, once each, in order; lines that only continue a message are folded into it. */
export function scanLines(lines: readonly string[]): Found[] {
  const found: Found[] = [];
  let last: Found | undefined;
  let end = -1;
  lines.forEach((line, index) => {
    if (last && index === end + 1 && continues(last.said, line)) {
      last.said = fold(last.said, line);
      end = index;
      return;
    }
    const said = recogniseLine(line);
    if (!said) return;
    last = { line: index + 1, said };
    found.push(last);
    end = index;
  });
  return found;
}

function continues(said: Said, line: string): boolean {
  if (said.kind === 'module-hint' && AFTER_MODULE_HINT.test(line)) return true;
  return [...QEMU_CONTINUATIONS, ...STACK_CONTINUATIONS].some((re) => re.test(line));
}

/** Debian's hint has a literal "qemu: "; the error after it names the real program, the option and the driver. */
function fold(said: Said, line: string): Said {
  const text = `${said.text}\n${line.trimEnd()}`;
  if (said.kind !== 'module-hint') return { ...said, text };
  const next = recogniseLine(line);
  const { location, driver, protocol, via } = next?.args ?? {};
  const args = {
    ...said.args,
    ...(location ? { location } : {}),
    ...(driver ? { driver } : {}),
    ...(protocol ? { protocol } : {}),
    ...(via ? { via } : {}),
  };
  return { ...said, program: next && next.program !== 'qemu' ? next.program : said.program, args, text };
}
