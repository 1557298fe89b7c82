import { stringify } from 'yaml';
import { bundledProfiles, loadProfile } from '../host/profiles.js';

export function listProfiles(): void {
  const rows = Object.values(bundledProfiles()).sort((a, b) => a.name.localeCompare(b.name));
  const width = Math.max(...rows.map((p) => p.name.length));
  for (const p of rows)
    process.stdout.write(`${p.name.padEnd(width)}  qemu ${p.qemu.version.padEnd(7)} ${p.description}\n`);
}

export async function showProfile(name: string, options: { json?: boolean }): Promise<void> {
  const profile = await loadProfile(name);
  process.stdout.write(options.json ? `${JSON.stringify(profile, null, 2)}\n` : stringify(profile, { lineWidth: 0 }));
}
