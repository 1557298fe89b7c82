import { execa } from 'execa';
import type { LibvirtFacts, Profile } from '../model/profile.js';
import { InputError } from '../errors.js';

/** What `virsh version`, `libvirtd --version`, `virtqemud --version` or `virsh --version` printed. */
export interface LibvirtVersion {
  /** The library or daemon version: "9.0.0". */
  libvirt: string;
  /** `virsh version`'s "Running hypervisor: QEMU 7.2.22", when connected. */
  hypervisor?: { name: string; version: string };
  /** The line the version was read from. */
  line: string;
}

const DAEMON = /^(?:libvirtd|virtqemud) \(libvirt\) (\d+\.\d+\.\d+)\s*$/;
const LIBRARY = /^Using library: libvirt (\d+\.\d+\.\d+)\s*$/;
const BARE = /^(\d+\.\d+\.\d+)\s*$/;
const HYPERVISOR = /^Running hypervisor: (\S+) (\d+\.\d+\.\d+)\s*$/;

/** Pure: reads any of the four outputs; undefined when none of their version lines is there. */
export function parseLibvirtVersion(output: string): LibvirtVersion | undefined {
  const lines = output.split('\n');
  let found: LibvirtVersion | undefined;
  for (const line of lines) {
    const version = DAEMON.exec(line)?.[1] ?? LIBRARY.exec(line)?.[1] ?? BARE.exec(line)?.[1];
    if (version && !found) found = { libvirt: version, line: line.trim() };
  }
  const hypervisor = lines.map((l) => HYPERVISOR.exec(l)).find((m) => m);
  if (found && hypervisor?.[1] && hypervisor[2]) found.hypervisor = { name: hypervisor[1], version: hypervisor[2] };
  return found;
}

/** The daemon that would start QEMU, asked first; the client's own version last (it may differ from the daemon's). */
const COMMANDS: [string, string[]][] = [
  ['libvirtd', ['--version']],
  ['virtqemud', ['--version']],
  ['virsh', ['--version']],
];

/** This machine's libvirt, from the first of libvirtd, virtqemud and virsh that answers; undefined when none is installed. */
export async function inspectLibvirt(env: NodeJS.ProcessEnv = process.env): Promise<LibvirtFacts | undefined> {
  for (const [program, args] of COMMANDS) {
    const run = await execa(program, args, { reject: false, timeout: 10_000, stdin: 'ignore', env });
    if (run.exitCode !== 0) continue;
    const parsed = parseLibvirtVersion(String(run.stdout));
    if (parsed)
      return { version: parsed.libvirt, source: `\`${program} ${args.join(' ')}\` printed \`${parsed.line}\`` };
  }
  return undefined;
}

/**
 * The host profile for a domain XML: its <emulator> inspected (else this machine's QEMU), with this machine's libvirt.
 * libvirt starts QEMU with a cleared environment, so QEMU_MODULE_DIR is dropped: modules come from the build's own dir.
 */
export async function libvirtHostProfile(
  emulator: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Profile> {
  const { existsSync } = await import('node:fs');
  if (emulator !== undefined && !existsSync(emulator)) {
    throw new InputError(
      `the domain's <emulator> ${emulator} is not on this machine: check against a bundled profile with --profile NAME`,
    );
  }
  const { QEMU_MODULE_DIR: _dropped, ...qemuEnv } = env;
  const profile =
    emulator !== undefined
      ? (await (await import('./inspect.js')).inspectBinaries({ qemu: [emulator], env: qemuEnv })).profile
      : await (await import('./host-profile.js')).hostProfile(env);
  const libvirt = await inspectLibvirt(env);
  if (!libvirt)
    throw new InputError(
      'no libvirt on this machine (libvirtd, virtqemud or virsh): check against a bundled profile with --profile NAME',
    );
  return { ...profile, libvirt };
}
