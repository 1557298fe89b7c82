export interface Paint {
  bold: (s: string) => string;
  red: (s: string) => string;
  green: (s: string) => string;
  yellow: (s: string) => string;
  dim: (s: string) => string;
}

const sgr = (code: number) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
const plain = (s: string) => s;

/** Colour only on a terminal and never with NO_COLOR (https://no-color.org). */
export function paintFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Paint {
  const on = stream.isTTY === true && !env['NO_COLOR'];
  if (!on) return { bold: plain, red: plain, green: plain, yellow: plain, dim: plain };
  return { bold: sgr(1), red: sgr(31), green: sgr(32), yellow: sgr(33), dim: sgr(2) };
}
