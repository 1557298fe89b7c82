/**
 * The real QEMU builds ("oracles") made by scripts/test-setup.sh. A test that needs one must
 * FAIL when it is missing, never skip: a green run has to mean the comparison really ran.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type OracleName = 'debian' | 'rhel9' | 'rhel7' | 'rhel9-tools';

/** build.json as written by scripts/test-setup.sh. */
export interface OracleManifest {
  name: string;
  /** First line of `qemu-system-x86_64 --version`. */
  qemuVersion: string;
  configureArgs: string[];
  rwWhitelist: string[];
  roWhitelist: string[];
  toolsEnforce: boolean;
  qemuSystem?: string;
  qemuImg?: string;
  qemuIo?: string;
  qemuNbd?: string | null;
  moduleDir?: string;
  /** debian only: a copy of the module dir without block-ssh.so (scripts/with-missing-module.sh). */
  modulesWithoutSsh?: string;
}

export interface Oracle {
  name: string;
  qemu: string;
  qemuImg: string;
  qemuIo: string;
  /** The build's block modules (curl, ssh) and TCG; QEMU_MODULE_DIR points here. */
  moduleDir?: string;
  /** process.env plus QEMU_MODULE_DIR: pass it to every run of this oracle's binaries. */
  env: NodeJS.ProcessEnv;
  manifest: OracleManifest;
}

export function cacheDir(): string {
  if (process.env.BLOCKGATE_CACHE) return process.env.BLOCKGATE_CACHE;
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'blockgate');
}

function missing(name: string, what: string): Error {
  return new Error(
    `oracle "${name}" is not usable: ${what}. Run \`bash scripts/test-setup.sh\` ` +
      `(or set BLOCKGATE_CACHE to where it put the oracles).`,
  );
}

function readManifest(name: string, file: string): OracleManifest {
  if (!existsSync(file)) throw missing(name, `${file} does not exist`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as OracleManifest;
  } catch (error) {
    throw missing(name, `${file} is not valid JSON (${(error as Error).message})`);
  }
}

function existing(name: string, path: string): string {
  if (!existsSync(path)) throw missing(name, `${path} does not exist`);
  return path;
}

export function oracle(name: OracleName): Oracle {
  const dir = join(cacheDir(), 'oracles', name);
  const manifest = readManifest(name, join(dir, 'build.json'));
  // The stock Debian oracle points at /usr/bin; builds have bin/ and modules/ next to build.json.
  const qemu = existing(name, manifest.qemuSystem ?? join(dir, 'bin', 'qemu-system-x86_64'));
  const qemuImg = existing(name, manifest.qemuImg ?? join(dir, 'bin', 'qemu-img'));
  const qemuIo = existing(name, manifest.qemuIo ?? join(dir, 'bin', 'qemu-io'));
  const moduleDir = manifest.moduleDir ?? (existsSync(join(dir, 'modules')) ? join(dir, 'modules') : undefined);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (moduleDir !== undefined) env.QEMU_MODULE_DIR = existing(name, moduleDir);
  const result: Oracle = { name, qemu, qemuImg, qemuIo, env, manifest };
  if (moduleDir !== undefined) result.moduleDir = moduleDir;
  return result;
}
