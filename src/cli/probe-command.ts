import { loadProfile } from '../host/profiles.js';
import { runProbe } from './probe.js';

/** probe's defaults: the host's first hypervisor, compared with inspect of that same binary unless a profile is named. */
export async function runProbeCommand(options: {
  qemu?: string;
  moduleDir?: string;
  profile?: string;
  json?: boolean;
}): Promise<void> {
  const { discoverHost, inspectBinaries } = await import('../host/inspect.js');
  const qemu = options.qemu ?? (await discoverHost()).find((p) => !p.endsWith('/qemu-img'));
  const moduleDir = options.moduleDir ? { moduleDir: options.moduleDir } : {};
  const profile =
    options.profile !== undefined
      ? await loadProfile(options.profile)
      : qemu
        ? (await inspectBinaries({ qemu: [qemu], ...moduleDir })).profile
        : undefined;
  await runProbe({
    ...(qemu ? { qemu } : {}),
    ...moduleDir,
    ...(options.json ? { json: true } : {}),
    ...(profile ? { profile } : {}),
  });
}
