/**
 * Parsers for what QEMU programs print about themselves. Pure; tested on recorded real output
 * (test/fixtures/inspect/). Line numbers are 1-based so that profile sources can cite them.
 */

export interface VersionInfo {
  /** Upstream version, e.g. "7.2.22". */
  version: string;
  /** The distribution's text in parentheses (QEMU_PKGVERSION), e.g. "Debian 1:7.2+dfsg-7+deb12u18+b3"; "" when none. */
  package: string;
  line: number;
  text: string;
}

/** The names a help line lists. */
export interface FormatList {
  formats: string[];
  line: number;
}

export interface FormatHelp {
  /** Line 1, bdrv_iterate_format(read_only=false): the rw whitelist ∩ drivers this build has. */
  readWrite: FormatList;
  /** Line 2, read_only=true: (rw ∪ ro) ∩ drivers this build has. Identical to line 1 when there is no whitelist. */
  readOnly: FormatList;
}

export interface ImgHelp extends FormatList {
  /** 'one-line' up to 10.0.x; 'wrapped' from 10.2 (qemu-block-layer.md §4). */
  layout: 'one-line' | 'wrapped';
}

const lines = (text: string): string[] => text.replace(/\r\n/g, '\n').split('\n');
const words = (text: string): string[] => text.trim().split(/\s+/).filter(Boolean);

/**
 * `qemu-system-x86_64 --version` / `qemu-img --version`: `QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)`.
 * Old builds add `, Copyright ...` on the same line (1.5.3: `QEMU emulator version 1.5.3 (qemu-kvm-1.5.3-175.el7), Copyright ...`).
 */
export function parseVersion(text: string): VersionInfo | undefined {
  const all = lines(text);
  for (const [index, line] of all.entries()) {
    const match = /\bversion (\d+\.\d+(?:\.\d+)?)\S*(?: \(([^)]*(?:\([^)]*\)[^)]*)*)\))?/.exec(line);
    if (match)
      return { version: match[1] as string, package: (match[2] ?? '').trim(), line: index + 1, text: line.trim() };
  }
  return undefined;
}

/**
 * `qemu-system-* -drive format=help` (blockdev.c:531-538): `Supported formats: a b c` then
 * `Supported formats (read-only): a b c d`, each name printed as " %s".
 */
export function parseFormatHelp(text: string): FormatHelp | undefined {
  const all = lines(text);
  const find = (prefix: string): FormatList | undefined => {
    const index = all.findIndex((l) => l.startsWith(prefix));
    return index < 0 ? undefined : { formats: words((all[index] as string).slice(prefix.length)), line: index + 1 };
  };
  const readWrite = find('Supported formats:');
  const readOnly = find('Supported formats (read-only):');
  return readWrite && readOnly ? { readWrite, readOnly } : undefined;
}

/**
 * `qemu-img --help`. Up to 10.0.x one line, `Supported formats: a b c`. From 10.2 a heading,
 * `Supported image formats:`, a blank line, then the names on indented lines wrapped at about
 * 75 columns, up to the next blank line.
 */
export function parseImgHelp(text: string): ImgHelp | undefined {
  const all = lines(text);
  const oneLine = all.findIndex((l) => l.startsWith('Supported formats:'));
  if (oneLine >= 0) {
    return {
      formats: words((all[oneLine] as string).slice('Supported formats:'.length)),
      line: oneLine + 1,
      layout: 'one-line',
    };
  }
  const heading = all.findIndex((l) => /^Supported image formats:\s*$/.test(l));
  if (heading < 0) return undefined;
  let index = heading + 1;
  while (index < all.length && (all[index] as string).trim() === '') index++;
  const first = index;
  const formats: string[] = [];
  while (index < all.length && /^\s+\S/.test(all[index] as string)) formats.push(...words(all[index++] as string));
  return formats.length > 0 ? { formats, line: first + 1, layout: 'wrapped' } : undefined;
}
