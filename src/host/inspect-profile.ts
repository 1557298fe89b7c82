/**
 * Turns what `blockgate inspect` observed on a host into a Profile. Pure: the host side (inspect.ts)
 * runs the programs, reads the files and passes everything in.
 */
import type { BlockModule, Profile } from '../model/profile.js';
import type { BinaryFacts } from './binary-facts.js';
import type { RecoveredWhitelist } from './elf-whitelist.js';
import type { FormatHelp, ImgHelp, VersionInfo } from './inspect-parse.js';
import { modulePackage, moduleTable, type ModuleEntry } from './block-modules.js';
import { cite, joinNotes, whitelistFacts, withUnconfirmed } from './inspect-whitelist.js';

export interface SystemRun {
  path: string;
  /** Program name as users type it: the basename, e.g. qemu-system-x86_64 or qemu-kvm. */
  name: string;
  version: VersionInfo;
  versionCommand: string;
  formatHelp: FormatHelp;
  formatHelpCommand: string;
}

export interface ImgRun {
  path: string;
  version?: VersionInfo | undefined;
  versionCommand: string;
  help: ImgHelp;
  helpCommand: string;
}

export interface SearchDir {
  dir: string;
  /** Why QEMU looks there, e.g. "QEMU_MODULE_DIR". */
  role: string;
}

export interface ModuleLookup {
  /** library_name, e.g. "curl". */
  name: string;
  /** The first search dir holding block-<name>.so: util/module.c tries the dirs in order and stops at the first file. */
  found?: { path: string; role: string; stampMatches?: boolean | undefined } | undefined;
}

export interface InspectObservations {
  /** qemu-system-* and qemu-kvm binaries; the first is the one the facts come from. */
  systems: SystemRun[];
  img?: ImgRun | undefined;
  /** The binary whose bytes were read for facts and whitelist. */
  elfPath: string;
  facts: BinaryFacts;
  whitelist: RecoveredWhitelist;
  searchDirs: SearchDir[];
  modules: ModuleLookup[];
}

/** Every name some program printed, each with where it was first seen. */
function listedNames(o: InspectObservations): Map<string, string> {
  const listed = new Map<string, string>();
  const add = (names: readonly string[], where: string): void => {
    for (const n of names) if (!listed.has(n)) listed.set(n, where);
  };
  for (const s of o.systems) add(s.formatHelp.readOnly.formats, cite(s.formatHelpCommand, s.formatHelp.readOnly.line));
  if (o.img) add(o.img.help.formats, cite(o.img.helpCommand, o.img.help.line));
  return listed;
}

/** Which file QEMU would load, or where it looked in vain. */
function moduleSource(o: InspectObservations, file: string, found: ModuleLookup['found']): string {
  if (!found) return `${file} is in none of ${o.searchDirs.map((d) => `${d.dir} (${d.role})`).join(', ')}`;
  const at = `\`${found.path}\` (${found.role})`;
  if (found.stampMatches === false)
    return `${at} lacks ${o.facts.stamp ?? 'the build stamp'}: QEMU refuses it ("Only modules from the same build can be loaded")`;
  return found.stampMatches ? `${at}, built with this binary (${o.facts.stamp ?? ''})` : at;
}

/**
 * Modular or monolithic, per module: a driver whose library (libcurl, libssh, ...) is in the
 * binary's DT_NEEDED is compiled in. Otherwise, when util/module.c's loader is compiled in
 * (CONFIG_MODULES), a listed driver of the module table comes from block-<name>.so: the help
 * lists name block_driver_modules[] entries even when the file is missing (block.c
 * bdrv_iterate_format). Without a loader nothing can be a module.
 */
function moduleFacts(o: InspectObservations, entry: ModuleEntry, listed: Map<string, string>): BlockModule | undefined {
  if (!o.facts.moduleLoader || o.facts.needed.some((lib) => entry.library.test(lib))) return undefined;
  const where = entry.drivers.map((d) => listed.get(d)).find(Boolean);
  const found = o.modules.find((m) => m.name === entry.name)?.found;
  if (!where && (!found || found.stampMatches === false)) return undefined;
  const file = `block-${entry.name}.so`;
  const pkg = modulePackage(entry.name, {
    debian: isDebian(o),
    supplemental: o.facts.supplemental,
    moduleDir: o.facts.moduleDir,
  });
  let source = moduleSource(o, file, found);
  if (where) source += `; ${entry.drivers.filter((d) => listed.has(d)).join(', ')} listed by ${where}`;
  const hidden = where
    ? undefined
    : 'no help output lists its drivers (the whitelist hides them); taken to be in the module table because the file is from this build';
  const module: BlockModule = {
    file,
    package: pkg.package,
    drivers: entry.drivers,
    installed: found?.stampMatches !== false && found !== undefined,
    source,
  };
  if (entry.protocols) module.protocols = entry.protocols;
  return withUnconfirmed(module, joinNotes([pkg.unconfirmed, hidden, entry.since?.note]));
}

/**
 * qemu-system-* binaries that list other formats than the first one are other builds (Debian's
 * qemu-system-x86_64-microvm has no modules and fewer drivers): the profile does not describe them.
 */
function otherBuilds(o: InspectObservations): SystemRun[] {
  const [primary, ...rest] = o.systems;
  const same = (a: string[], b: string[]): boolean => a.join(' ') === b.join(' ');
  return primary
    ? rest.filter(
        (s) =>
          !same(s.formatHelp.readWrite.formats, primary.formatHelp.readWrite.formats) ||
          !same(s.formatHelp.readOnly.formats, primary.formatHelp.readOnly.formats),
      )
    : [];
}

function driverFacts(
  o: InspectObservations,
  listed: Map<string, string>,
  modules: BlockModule[],
  whitelisted: boolean,
  tools: boolean,
): Profile['qemu']['drivers'] {
  const fromModules = new Set(modules.flatMap((m) => m.drivers));
  const builtin = [...listed.keys()].filter((n) => !fromModules.has(n)).sort();
  const lists = [...new Set(listed.values())].join(' + ');
  const split = !o.facts.moduleLoader
    ? `monolithic (\`${o.elfPath}\` has no module loader: no QEMU_MODULE_DIR string)`
    : `modular (\`${o.elfPath}\` has util/module.c's loader, QEMU_MODULE_DIR in .rodata; DT_NEEDED: ${o.facts.needed.filter((l) => /^lib(curl|ssh|rbd|iscsi|gfapi|nfs|blkio)/.test(l)).join(', ') || 'no block library'})`;
  const source = `${lists}, minus module drivers (${modules.map((m) => m.file).join(', ') || 'none'}); ${split}`;
  let unconfirmed: string | undefined;
  if (whitelisted && tools)
    unconfirmed = 'qemu-img enforces the whitelist too, so no listing shows a built driver that is not whitelisted';
  else if (whitelisted && !o.img)
    unconfirmed =
      'only -drive format=help was read, and the whitelist filters it: built drivers that are not whitelisted are missing';
  else if (whitelisted) unconfirmed = 'system-only drivers (blkreplay) that are not whitelisted appear in no listing';
  const others = otherBuilds(o).map((s) => `\`${s.formatHelpCommand}\``);
  const otherNote = others.length
    ? `${others.join(', ')} list other formats: another build, not described here nor counted as a hypervisor`
    : undefined;
  return withUnconfirmed({ builtin, source }, joinNotes([unconfirmed, otherNote]));
}

function isDebian(o: InspectObservations): boolean {
  const version = o.systems[0]?.version ?? o.img?.version;
  return /debian/i.test(version?.package ?? '') || o.facts.debianHint !== undefined;
}

export function buildProfile(o: InspectObservations): Profile {
  const primary = o.systems[0];
  const version = primary?.version ?? o.img?.version;
  const versionCommand = primary?.versionCommand ?? o.img?.versionCommand ?? '';
  if (!version) throw new Error('buildProfile needs the version of a qemu-system binary or of qemu-img');
  const others = otherBuilds(o);
  const described = { ...o, systems: o.systems.filter((s) => !others.includes(s)) };
  const listed = listedNames(described);
  const whitelist = whitelistFacts(o, new Set(o.img?.help.formats ?? []));
  const modules = moduleTable(version.version)
    .map((e) => moduleFacts(o, e, listed))
    .filter((m): m is BlockModule => m !== undefined);
  const whitelisted = whitelist.rw.length + whitelist.ro.length > 0;
  const paths = [...o.systems.map((s) => s.path), ...(o.img ? [o.img.path] : [])];
  return {
    name: 'host',
    description: `Inspected from ${paths.join(', ')}: QEMU ${version.version}${version.package ? ` (${version.package})` : ''}.`,
    qemu: {
      version: version.version,
      package: version.package || 'none named by --version',
      source: `${cite(versionCommand, version.line)}: ${version.text}`,
      hypervisors: [...new Set(described.systems.map((s) => s.name))],
      debianModuleHint: isDebian(o),
      drivers: driverFacts(o, listed, modules, whitelisted, whitelist.tools),
      modules,
      whitelist,
    },
  };
}
