import type { SaidKind } from './said.js';

/** One message text: the kind it says, and the names it carries. */
export interface Recogniser {
  kind: SaidKind;
  re: RegExp;
  args?: (m: RegExpExecArray) => Record<string, string>;
  /** For texts of the layers above QEMU: who prints it (a QEMU text takes its program from the line). */
  program?: string | ((m: RegExpExecArray) => string);
}

export const named =
  (...keys: string[]) =>
  (m: RegExpExecArray): Record<string, string> =>
    Object.fromEntries(keys.flatMap((key, i) => (key && m[i + 1] !== undefined ? [[key, m[i + 1] as string]] : [])));
