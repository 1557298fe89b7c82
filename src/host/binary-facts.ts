/**
 * Build facts a QEMU binary carries in its own bytes, read without running it. Pure over a Buffer.
 * All the module strings below are compiled only with CONFIG_MODULES (util/module.c, 7.2 and 10.2).
 */
import { readElf } from './elf.js';

export interface BinaryFacts {
  /** util/module.c's loader is compiled in: `getenv("QEMU_MODULE_DIR")`. */
  moduleLoader: boolean;
  /** CONFIG_QEMU_MODDIR as configured, e.g. /usr/lib/x86_64-linux-gnu/qemu. */
  moduleDir?: string;
  /** CONFIG_BINDIR when found next to moduleDir's prefix: moduleDir is then relocated like the binary. */
  bindir?: string;
  /** --enable-module-upgrades: modules are also searched in /var/run/qemu/<pkgversion>. */
  moduleUpgrades: boolean;
  /** qemu_stamp_<hash>: a module must define this symbol or it is refused ("Only modules from the same build"). */
  stamp?: string;
  /** The format string of Debian's missing-module hint, when compiled in. */
  debianHint?: string;
  /** Debian 10.x's hint names qemu-block-supplemental. */
  supplemental: boolean;
  /** DT_NEEDED: a monolithic build links libcurl, libssh, ... itself. */
  needed: string[];
}

/**
 * util/module.c's string literals sit together in .rodata, in the order the code uses them:
 * getenv("QEMU_MODULE_DIR"), then get_relocated_path(CONFIG_QEMU_MODDIR), before the "Only modules
 * from the same build" hint (7.2 Debian and our builds: 0x100-0x200 bytes apart). So the module dir
 * is the first absolute path after the marker; failing that, the nearest one before it.
 */
const LOADER_MARKER = 'QEMU_MODULE_DIR\0';
const WINDOW = 4096;
const isModuleDir = (s: string): boolean => /^\/[\w.+/-]+$/.test(s) && !s.startsWith('/var/run/');

function findModuleDir(rodata: Buffer): string | undefined {
  const at = rodata.indexOf(LOADER_MARKER);
  if (at < 0) return undefined;
  const after = rodata.toString('latin1', at, Math.min(rodata.length, at + WINDOW)).split('\0');
  const before = rodata
    .toString('latin1', Math.max(0, at - WINDOW), at)
    .split('\0')
    .reverse();
  return after.find(isModuleDir) ?? before.find(isModuleDir);
}

/** The longest ancestor P of the module dir for which "P/bin" is a string: get_relocated_path's CONFIG_BINDIR. */
function findBindir(rodata: Buffer, moduleDir: string): string | undefined {
  const parts = moduleDir.split('/');
  for (let n = parts.length - 1; n >= 1; n--) {
    const prefix = parts.slice(0, n).join('/');
    const bindir = `${prefix}/bin`;
    if (rodata.includes(`\0${bindir}\0`)) return bindir;
  }
  return undefined;
}

export function readBinaryFacts(buf: Buffer): BinaryFacts {
  const elf = readElf(buf);
  const section = elf?.section('.rodata');
  const rodata =
    section && section.offset + section.size <= buf.length
      ? buf.subarray(section.offset, section.offset + section.size)
      : buf;
  const moduleDir = findModuleDir(rodata);
  const bindir = moduleDir ? findBindir(rodata, moduleDir) : undefined;
  const stampAt = rodata.indexOf('qemu_stamp_');
  const stamp =
    stampAt < 0 ? undefined : /^qemu_stamp_[0-9a-f]+/.exec(rodata.toString('latin1', stampAt, stampAt + 80))?.[0];
  // 7.2: "qemu: module %s%s not found, do you want to install %s package?"; 10.2: "... Perhaps you want to install ...".
  const hintAt = [
    rodata.indexOf('not found, do you want to install'),
    rodata.indexOf('Perhaps you want to install'),
  ].find((i) => i >= 0);
  const facts: BinaryFacts = {
    moduleLoader: rodata.includes(LOADER_MARKER),
    moduleUpgrades: rodata.includes('\0/var/run/qemu/%s\0'),
    supplemental: rodata.includes('qemu-block-supplemental'),
    needed: elf?.needed() ?? [],
  };
  if (moduleDir) facts.moduleDir = moduleDir;
  if (bindir) facts.bindir = bindir;
  if (stamp) facts.stamp = stamp;
  if (hintAt !== undefined) {
    const start = rodata.lastIndexOf(0, hintAt) + 1;
    facts.debianHint = rodata.toString('latin1', start, rodata.indexOf(0, hintAt)).trim();
  }
  return facts;
}

/**
 * Where the binary really looks for modules besides QEMU_MODULE_DIR: get_relocated_path(CONFIG_QEMU_MODDIR)
 * (7.2 util/cutils.c). From a build tree (`<exec dir>/qemu-bundle` exists) it is the bundle plus the
 * configured path; otherwise, when both the module dir and CONFIG_BINDIR share the prefix, the path is taken
 * relative to the directory the binary really runs from, so an installed tree still works after a move.
 */
export function configuredModuleDir(
  facts: BinaryFacts,
  execDir: string,
  hasBundle: boolean,
): { dir: string; relocated: boolean } | undefined {
  const { moduleDir, bindir } = facts;
  if (!moduleDir) return undefined;
  if (hasBundle) return { dir: `${execDir}/qemu-bundle${moduleDir}`, relocated: true };
  if (!bindir) return { dir: moduleDir, relocated: false };
  const prefix = bindir.slice(0, -'/bin'.length);
  const relocated = `${execDir}/..${moduleDir.slice(prefix.length)}`;
  return { dir: normalize(relocated), relocated: normalize(relocated) !== moduleDir };
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') out.pop();
    else if (part !== '' && part !== '.') out.push(part);
  }
  return `/${out.join('/')}`;
}
