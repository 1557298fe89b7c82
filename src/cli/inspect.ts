import { inspectBinaries } from '../host/inspect.js';

/** `blockgate inspect`: prints the profile of this machine's QEMU, to save and use with `check --profile FILE`. */
export async function runInspect(options: {
  qemu?: string[];
  qemuImg?: string;
  moduleDir?: string;
  json?: boolean;
}): Promise<void> {
  const { json, ...which } = options;
  const { profile, binaries } = await inspectBinaries(which);
  if (json) {
    process.stdout.write(`${JSON.stringify(profile, null, 2)}\n`);
    return;
  }
  const { stringify } = await import('yaml');
  const header = binaries.map(
    (b) => `#   ${b.path} (QEMU ${b.version}, ${b.size} bytes, modified ${new Date(b.mtimeMs).toISOString()})`,
  );
  process.stdout.write(
    `# Written by \`blockgate inspect\` from:\n${header.join('\n')}\n${stringify(profile, { lineWidth: 0 })}`,
  );
}
