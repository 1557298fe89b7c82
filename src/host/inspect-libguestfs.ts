import { execa } from 'execa';

/** What this host's libguestfs says about itself; each fact with the command and the line it came from. */
export interface HostLibguestfs {
  version: string;
  /** The backend a tool would use here: LIBGUESTFS_BACKEND if set, else what `guestfish get-backend` prints. */
  backend: string;
  /** The build's default, when LIBGUESTFS_BACKEND was unset for the question. */
  defaultBackend: string;
  source: string;
}

/** `guestfish --version` prints "guestfish 1.48.6" (fish/fish.c OPTION_V: getprogname, PACKAGE_VERSION_FULL). */
export function parseGuestfishVersion(stdout: string): string | undefined {
  return /^guestfish (\d+\.\d+\.\d+)/m.exec(stdout)?.[1];
}

/** `guestfish get-backend` prints the backend name, e.g. "direct" or "libvirt" (lib/backend.c). */
export function parseBackend(stdout: string): string | undefined {
  const line = stdout.trim().split('\n')[0]?.trim();
  return line ? line : undefined;
}

/** Runs guestfish twice (no appliance is launched); undefined when guestfish is not installed or answers nothing usable. */
export async function inspectLibguestfs(
  guestfish = 'guestfish',
  env: NodeJS.ProcessEnv = process.env,
): Promise<HostLibguestfs | undefined> {
  const version = await execa(guestfish, ['--version'], { reject: false, env });
  const parsed = version.exitCode === 0 ? parseGuestfishVersion(version.stdout) : undefined;
  if (!parsed) return undefined;
  const { LIBGUESTFS_BACKEND: chosen, ...clean } = env;
  const backend = await execa(guestfish, ['get-backend'], { reject: false, env: clean, extendEnv: false, input: '' });
  const defaultBackend = backend.exitCode === 0 ? parseBackend(backend.stdout) : undefined;
  if (!defaultBackend) return undefined;
  return {
    version: parsed,
    backend: chosen || defaultBackend,
    defaultBackend,
    source:
      `\`${guestfish} --version\` printed \`${version.stdout.trim()}\`; \`${guestfish} get-backend\` with LIBGUESTFS_BACKEND unset printed \`${defaultBackend}\`` +
      (chosen ? `; LIBGUESTFS_BACKEND=${chosen}` : ''),
  };
}
