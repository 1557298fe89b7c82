import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Profile } from '../model/profile.js';
import { InputError } from '../errors.js';

/** Where QEMU looks for block modules on Debian/Ubuntu, Fedora/RHEL and SUSE: a package adding or removing one changes the dir's mtime. */
const MODULE_DIRS = ['/usr/lib/x86_64-linux-gnu/qemu', '/usr/lib64/qemu-kvm', '/usr/lib64/qemu', '/usr/lib/qemu'];
/** Bumped when inspect learns new facts, so that a cache written by an older blockgate is not used. */
const INSPECT_REVISION = 2;
/** Installing or upgrading libvirt, libguestfs, virt-v2v or nbdkit (or an nbdkit plugin) changes one of these. */
const STACK_PATHS = [
  '/usr/sbin/libvirtd',
  '/usr/sbin/virtqemud',
  '/usr/bin/guestfish',
  '/usr/bin/virt-v2v',
  '/usr/sbin/nbdkit',
  '/usr/bin/nbdkit',
  '/usr/lib/x86_64-linux-gnu/nbdkit/plugins',
  '/usr/lib64/nbdkit/plugins',
];

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env['BLOCKGATE_CACHE'] ?? join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'blockgate');
}

/**
 * The profile of this machine's QEMU, inspected once and cached: keyed by each binary's path, size, mtime and
 * the hypervisor's version, and by the module dirs, so an upgrade or an installed module package re-inspects.
 */
export async function hostProfile(env: NodeJS.ProcessEnv = process.env): Promise<Profile> {
  const { discoverHost, inspectBinaries } = await import('./inspect.js');
  const paths = await discoverHost(env);
  if (paths.length === 0) {
    throw new InputError(
      'no QEMU on this machine to inspect: check against a bundled profile with --profile NAME ' +
        '(`blockgate profiles` lists them)',
    );
  }
  const file = join(cacheRoot(env), 'host', `${await cacheKey(paths, env)}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const { profile } = await inspectBinaries({ env });
  mkdirSync(join(cacheRoot(env), 'host'), { recursive: true });
  writeFileSync(file, JSON.stringify(profile));
  return profile;
}

async function cacheKey(paths: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const [first = ''] = paths;
  const version = await execa(first, ['--version'], { reject: false, timeout: 10_000, stdin: 'ignore' });
  const binaries = paths.map((p) => {
    const s = statSync(p);
    return [p, s.size, s.mtimeMs];
  });
  const dirs = [env['QEMU_MODULE_DIR'], ...MODULE_DIRS, ...STACK_PATHS]
    .filter((d): d is string => d !== undefined && existsSync(d))
    .map((d) => [d, statSync(d).mtimeMs]);
  return createHash('sha256')
    .update(
      JSON.stringify({ revision: INSPECT_REVISION, version: String(version.stdout).split('\n')[0], binaries, dirs }),
    )
    .digest('hex')
    .slice(0, 32);
}
