export interface Paint {
  bold: (s: string) => string;
  red: (s: string) => string;
  green: (s: string) => string;
  yellow: (s: string) => string;
  dim: (s: string) => string;
}

const sgr = (code: number) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
const plain = (s: string) => s;

/**
 * Colour only on a terminal (not TERM=dumb), never with NO_COLOR (https://no-color.org: set and not empty).
 * FORCE_COLOR (set, not empty, not 0 or false, as Node and chalk read it) colours a pipe too, for CI logs that
 * render colour; NO_COLOR still wins, since it is the user's standing choice and FORCE_COLOR often a CI default.
 */
export function paintFor(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): Paint {
  const force = env['FORCE_COLOR'];
  const forced = force !== undefined && force !== '' && force !== '0' && force !== 'false';
  const on = !env['NO_COLOR'] && (forced || (stream.isTTY === true && env['TERM'] !== 'dumb'));
  if (!on) return { bold: plain, red: plain, green: plain, yellow: plain, dim: plain };
  return { bold: sgr(1), red: sgr(31), green: sgr(32), yellow: sgr(33), dim: sgr(2) };
}
