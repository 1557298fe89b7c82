/**
 * `blockgate inspect`: a profile of the QEMU on this machine, from the binaries themselves. Runs only
 * `--version`, `-drive format=help` and `qemu-img --help` (execa, reject: false, with a timeout), and reads
 * the binaries and module files. Writes nothing.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { basename, delimiter, dirname, join } from 'node:path';
import { execa } from 'execa';
import type { Profile } from '../model/profile.js';
import { InputError } from '../errors.js';
import { configuredModuleDir, readBinaryFacts, type BinaryFacts } from './binary-facts.js';
import { ALL_DRIVERS, moduleTable } from './block-modules.js';
import { recoverWhitelist } from './elf-whitelist.js';
import { parseFormatHelp, parseImgHelp, parseVersion } from './inspect-parse.js';
import { inspectStack } from './inspect-stack.js';
import { buildProfile, type ImgRun, type ModuleLookup, type SearchDir, type SystemRun } from './inspect-profile.js';

export interface InspectOptions {
  /** qemu-system-* / qemu-kvm binaries; the first is the one the facts come from. Default: this host's. */
  qemu?: string[];
  /** Default: qemu-img next to the first qemu binary, else (when no binary was named) on PATH. */
  qemuImg?: string;
  /** Look for block modules here instead of the binary's configured module dir. QEMU_MODULE_DIR is still searched first, as QEMU does. */
  moduleDir?: string;
  env?: NodeJS.ProcessEnv;
}

export interface InspectedBinary {
  path: string;
  size: number;
  mtimeMs: number;
  version: string;
}

const TIMEOUT_MS = 20_000;
const HINT = 'or check against a bundled profile with `blockgate check --profile NAME`';
const FORMAT_HELP = ['-nodefaults', '-machine', 'none', '-display', 'none', '-drive', 'format=help'];
// qemu-kvm exists only in RHEL-family builds; everyone else installs qemu-system-<arch>.
const RHEL_QEMU_KVM = '/usr/libexec/qemu-kvm';
const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const ARCH: Record<string, string> = {
  x64: 'x86_64',
  arm64: 'aarch64',
  ppc64: 'ppc64',
  s390x: 's390x',
  riscv64: 'riscv64',
};

const isFile = (path: string): boolean => existsSync(path) && statSync(path).isFile();

function onPath(env: NodeJS.ProcessEnv, match: (name: string) => boolean): string[] {
  const found: string[] = [];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.filter(match).sort()) if (isFile(join(dir, name))) found.push(join(dir, name));
  }
  return found;
}

/** A path as given, or a bare program name looked up on PATH. */
function locate(program: string, env: NodeJS.ProcessEnv, what: string): string {
  const path = program.includes('/') ? program : onPath(env, (n) => n === program)[0];
  if (path === undefined || !isFile(path))
    throw new InputError(`${what} not found: ${program}; give an existing binary, ${HINT}`);
  return path;
}

/** /usr/libexec/qemu-kvm, then every qemu-system-* on PATH (the host's own architecture first), one per real file. */
async function discoverSystems(env: NodeJS.ProcessEnv): Promise<string[]> {
  const own = `qemu-system-${ARCH[process.arch] ?? process.arch}`;
  const candidates = [
    ...(isFile(RHEL_QEMU_KVM) ? [RHEL_QEMU_KVM] : []),
    ...onPath(env, (n) => n.startsWith('qemu-system-')).sort(
      (a, b) => Number(basename(b) === own) - Number(basename(a) === own),
    ),
  ];
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const path of candidates) {
    const real = await realpath(path);
    if (!seen.has(real)) unique.push(path);
    seen.add(real);
  }
  return unique;
}

async function run(path: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ command: string; stdout: string }> {
  const command = [path, ...args].join(' ');
  const result = await execa(path, args, {
    reject: false,
    timeout: TIMEOUT_MS,
    env,
    extendEnv: false,
    stdin: 'ignore',
  });
  if (result.timedOut) throw new InputError(`\`${command}\` did not finish within ${TIMEOUT_MS / 1000} s`);
  if (result.exitCode !== 0 && result.stdout === '') {
    const why = String(result.stderr || result.message)
      .trim()
      .split('\n')[0];
    throw new InputError(`\`${command}\` failed: ${why}; is it a QEMU binary? ${HINT}`);
  }
  return { command, stdout: String(result.stdout) };
}

async function inspectSystem(path: string, env: NodeJS.ProcessEnv): Promise<SystemRun> {
  const [versionRun, helpRun] = await Promise.all([run(path, ['--version'], env), run(path, FORMAT_HELP, env)]);
  const version = parseVersion(versionRun.stdout);
  const formatHelp = parseFormatHelp(helpRun.stdout);
  if (!version) throw new InputError(`\`${versionRun.command}\` printed no QEMU version; ${HINT}`);
  if (!formatHelp) throw new InputError(`\`${helpRun.command}\` printed no "Supported formats" lines; ${HINT}`);
  const name = path === RHEL_QEMU_KVM ? 'qemu-kvm' : basename(path);
  return { path, name, version, versionCommand: versionRun.command, formatHelp, formatHelpCommand: helpRun.command };
}

async function inspectImg(path: string, env: NodeJS.ProcessEnv): Promise<ImgRun> {
  const [versionRun, helpRun] = await Promise.all([run(path, ['--version'], env), run(path, ['--help'], env)]);
  const help = parseImgHelp(helpRun.stdout);
  if (!help) throw new InputError(`\`${helpRun.command}\` printed no "Supported formats" list; ${HINT}`);
  return {
    path,
    version: parseVersion(versionRun.stdout),
    versionCommand: versionRun.command,
    help,
    helpCommand: helpRun.command,
  };
}

/** QEMU's module search order (util/module.c module_load, 7.2 and 10.2), with --module-dir standing in for the configured dir. */
async function searchDirs(
  elfPath: string,
  facts: BinaryFacts,
  options: InspectOptions,
  env: NodeJS.ProcessEnv,
  pkgversion: string,
): Promise<SearchDir[]> {
  if (!facts.moduleLoader) return [];
  const dirs: SearchDir[] = [];
  if (env.QEMU_MODULE_DIR) dirs.push({ dir: env.QEMU_MODULE_DIR, role: 'QEMU_MODULE_DIR' });
  if (options.moduleDir) {
    dirs.push({
      dir: options.moduleDir,
      role: `--module-dir, standing in for the configured ${facts.moduleDir ?? 'module dir'}`,
    });
  } else {
    const execDir = dirname(await realpath(elfPath));
    const configured = configuredModuleDir(facts, execDir, existsSync(join(execDir, 'qemu-bundle')));
    if (configured) {
      const how = configured.relocated ? `, relocated next to the binary (CONFIG_BINDIR ${facts.bindir ?? '?'})` : '';
      dirs.push({
        dir: configured.dir,
        role: `configured module dir: CONFIG_QEMU_MODDIR ${facts.moduleDir ?? ''} read from the binary${how}`,
      });
    }
  }
  // --enable-module-upgrades: g_strcanon(QEMU_PKGVERSION, "A-Za-z0-9+-.~", '_').
  if (facts.moduleUpgrades && pkgversion)
    dirs.push({ dir: `/var/run/qemu/${pkgversion.replace(/[^A-Za-z0-9+\-.~]/g, '_')}`, role: 'module upgrades' });
  return dirs;
}

async function lookupModules(names: string[], dirs: SearchDir[], stamp: string | undefined): Promise<ModuleLookup[]> {
  return Promise.all(
    names.map(async (name) => {
      const hit = dirs.map((d) => ({ ...d, path: join(d.dir, `block-${name}.so`) })).find((d) => existsSync(d.path));
      if (!hit) return { name };
      const stampMatches = stamp === undefined ? undefined : (await readFile(hit.path)).includes(stamp);
      return { name, found: { path: hit.path, role: hit.role, stampMatches } };
    }),
  );
}

/**
 * The first of the binaries that is an ELF file: Debian's qemu-system-i386 is a shell script that execs
 * /usr/libexec/qemu-system-i386, and qemu-img links block.c too (its whitelist arrays and module loader
 * are the same build's).
 */
async function firstElf(paths: string[]): Promise<{ path: string; buf: Buffer }> {
  for (const path of paths) {
    const buf = await readFile(path);
    if (buf.subarray(0, 4).equals(ELF_MAGIC)) return { path, buf };
  }
  throw new InputError(
    `none of ${paths.join(', ')} is an ELF binary; name the real QEMU binaries with --qemu/--qemu-img, ${HINT}`,
  );
}

function described(path: string, version: string | undefined): InspectedBinary {
  const stat = statSync(path);
  return { path, size: stat.size, mtimeMs: stat.mtimeMs, version: version ?? 'unknown' };
}

export async function inspectBinaries(
  options: InspectOptions = {},
): Promise<{ profile: Profile; binaries: InspectedBinary[] }> {
  const env = options.env ?? process.env;
  // Name one binary and only that build is inspected: another build's qemu-img or qemu-system must not mix in.
  const named = Boolean(options.qemu?.length) || options.qemuImg !== undefined;
  const systemPaths = options.qemu?.length
    ? options.qemu.map((q) => locate(q, env, 'QEMU binary'))
    : named
      ? []
      : await discoverSystems(env);
  const sibling = systemPaths[0] ? join(dirname(systemPaths[0]), 'qemu-img') : undefined;
  const imgPath =
    options.qemuImg !== undefined
      ? locate(options.qemuImg, env, 'qemu-img')
      : sibling && isFile(sibling)
        ? sibling
        : named
          ? undefined
          : onPath(env, (n) => n === 'qemu-img')[0];
  if (systemPaths.length === 0 && imgPath === undefined) {
    throw new InputError(
      `no QEMU found: neither ${RHEL_QEMU_KVM} nor qemu-system-* or qemu-img on PATH; name them with --qemu/--qemu-img, ${HINT}`,
    );
  }
  const [systems, img, elf] = await Promise.all([
    Promise.all(systemPaths.map((p) => inspectSystem(p, env))),
    imgPath ? inspectImg(imgPath, env) : Promise.resolve(undefined),
    firstElf([...systemPaths, ...(imgPath ? [imgPath] : [])]),
  ]);
  const { path: elfPath, buf } = elf;
  const primary = systems[0];
  const version = primary?.version ?? img?.version;
  if (!version) throw new InputError(`\`${img?.versionCommand ?? elfPath}\` printed no QEMU version; ${HINT}`);
  const listed = [...(primary?.formatHelp.readOnly.formats ?? []), ...(img?.help.formats ?? [])];
  const formatHelp = primary
    ? { readWrite: primary.formatHelp.readWrite.formats, readOnly: primary.formatHelp.readOnly.formats }
    : undefined;
  const whitelist = recoverWhitelist(buf, { drivers: [...new Set([...ALL_DRIVERS, ...listed])], formatHelp });
  const facts = readBinaryFacts(buf);
  const dirs = await searchDirs(elfPath, facts, options, env, version.package);
  const modules = await lookupModules(
    moduleTable(version.version).map((m) => m.name),
    dirs,
    facts.stamp,
  );
  const qemuProfile = buildProfile({ systems, img, elfPath, facts, whitelist, searchDirs: dirs, modules });
  // This host's own stack: the layers above QEMU belong with its QEMU, not with a build named on the command line.
  const profile = named ? qemuProfile : { ...qemuProfile, ...(await inspectStack(env)) };
  const binaries = [
    ...systems.map((s) => described(s.path, s.version.version)),
    ...(img ? [described(img.path, img.version?.version)] : []),
  ];
  return { profile, binaries };
}

/** The binaries `inspectBinaries()` looks at on this host when none is named: the key of the cached host profile. */
export async function discoverHost(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const img = onPath(env, (n) => n === 'qemu-img')[0];
  return [...(await discoverSystems(env)), ...(img ? [img] : [])];
}
