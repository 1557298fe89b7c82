/**
 * The layers above QEMU on this host: libvirt, libguestfs, virt-v2v and nbdkit, each read from its own programs.
 * A program that is not installed leaves its group out (the planners then say the facts are missing).
 */
import { execa } from 'execa';
import type { LibguestfsFacts, Profile } from '../model/profile.js';
import { inspectLibvirt } from './inspect-libvirt.js';
import { inspectLibguestfs } from './inspect-libguestfs.js';
import { inspectV2v } from './inspect-v2v.js';

export type StackFacts = Pick<Profile, 'libvirt' | 'libguestfs' | 'virtV2v' | 'nbdkit'>;

/** Every protocol some libguestfs version accepts (lib/drives.c guestfs_impl_add_drive_opts, 1.22 to 1.54). */
const LIBGUESTFS_PROTOCOLS = [
  'ftp',
  'ftps',
  'gluster',
  'http',
  'https',
  'iscsi',
  'nbd',
  'rbd',
  'sheepdog',
  'ssh',
  'tftp',
];
/** A URI per protocol that passes guestfish's own syntax checks, so only the protocol decides. */
const PROBE_URI: Record<string, string> = {
  gluster: 'gluster://localhost/vol/x',
  iscsi: 'iscsi://localhost/iqn.2000-01.x:t/0',
  sheepdog: 'sheepdog://localhost:7000/x',
};
const TIMEOUT_MS = 20_000;

export async function inspectStack(env: NodeJS.ProcessEnv = process.env): Promise<StackFacts> {
  const [libvirt, libguestfs, v2v] = await Promise.all([inspectLibvirt(env), inspectGuestfs(env), inspectV2v({ env })]);
  return {
    ...(libvirt ? { libvirt } : {}),
    ...(libguestfs ? { libguestfs } : {}),
    ...(v2v.virtV2v ? { virtV2v: v2v.virtV2v } : {}),
    ...(v2v.nbdkit ? { nbdkit: v2v.nbdkit } : {}),
  };
}

/**
 * Version and default backend from guestfish; the protocols by trying each one: `guestfish --format=raw -a URI exit`
 * adds a read-write drive, which checks the protocol (and the URI's shape) and touches no network, and prints
 * "unknown protocol" for one the build does not have (RHEL's patch removes them there).
 */
async function inspectGuestfs(env: NodeJS.ProcessEnv): Promise<LibguestfsFacts | undefined> {
  const host = await inspectLibguestfs('guestfish', env);
  if (!host) return undefined;
  const tried = await Promise.all(
    LIBGUESTFS_PROTOCOLS.map(async (protocol) => {
      const uri = PROBE_URI[protocol] ?? `${protocol}://localhost/x`;
      const run = await execa('guestfish', ['--format=raw', '-a', uri, 'exit'], {
        reject: false,
        timeout: TIMEOUT_MS,
        env,
        input: '',
      });
      return /unknown protocol/.test(String(run.stderr)) ? undefined : protocol;
    }),
  );
  const protocols = ['file', ...tried.filter((p): p is string => p !== undefined)];
  return {
    version: host.version,
    protocols,
    defaultBackend: host.defaultBackend === 'libvirt' ? 'libvirt' : 'direct',
    source: `${host.source}; protocols: \`guestfish --format=raw -a PROTOCOL://... exit\` refused none of ${protocols.slice(1).join(', ')} with "unknown protocol"`,
  };
}
