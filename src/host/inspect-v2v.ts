/**
 * The virt-v2v and nbdkit facts of this host, from the programs themselves: `virt-v2v --version`,
 * `virt-v2v --machine-readable` (feature lines: input:MODE, output:MODE, ...), `nbdkit --dump-config` and the
 * plugin and filter directories it names. The parsers are pure; inspectV2v runs the programs (execa, reject: false).
 */
import { readdir } from 'node:fs/promises';
import { execa } from 'execa';
import type { NbdkitFacts, VirtV2vFacts } from '../model/profile.js';

const TIMEOUT_MS = 20_000;

/** `virt-v2v --version` prints "virt-v2v 2.2.0" (1.x: "virt-v2v 1.40.2rhel=7,release=10.el7,libvirt"). */
export function parseV2vVersion(text: string): string | undefined {
  return /^virt-v2v\s+(\d+(?:\.\d+)+)/m.exec(text)?.[1];
}

/** `virt-v2v --machine-readable`: one feature a line; input:MODE and output:MODE name the modes the build has. */
export function parseV2vFeatures(text: string): { features: string[]; inputs: string[]; outputs: string[] } {
  const features = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const modes = (kind: string) => features.filter((f) => f.startsWith(`${kind}:`)).map((f) => f.slice(kind.length + 1));
  return { features, inputs: modes('input'), outputs: modes('output') };
}

/** `nbdkit --dump-config`: key=value lines (version=1.32.5, plugindir=..., filterdir=...). */
export function parseNbdkitConfig(text: string): Record<string, string> {
  const config: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) config[line.slice(0, eq)] = line.slice(eq + 1).trim();
  }
  return config;
}

/** Names of nbdkit-NAME-plugin.so (or -filter.so) files in a directory listing, sorted. */
export function namesIn(files: string[], kind: 'plugin' | 'filter'): string[] {
  const re = new RegExp(`^nbdkit-(.+)-${kind}\\.so$`);
  return files.flatMap((f) => re.exec(f)?.[1] ?? []).sort();
}

export interface V2vHostFacts {
  virtV2v?: VirtV2vFacts;
  nbdkit?: NbdkitFacts;
}

/** Facts of the virt-v2v and nbdkit on PATH (or the binaries named); a missing program leaves its group out. */
export async function inspectV2v(
  options: { virtV2v?: string; nbdkit?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<V2vHostFacts> {
  const v2v = options.virtV2v ?? 'virt-v2v';
  const nbdkit = options.nbdkit ?? 'nbdkit';
  const run = (file: string, args: string[]) =>
    execa(file, args, { reject: false, timeout: TIMEOUT_MS, env: options.env ?? process.env, extendEnv: false });
  const [version, features, dump] = await Promise.all([
    run(v2v, ['--version']),
    run(v2v, ['--machine-readable']),
    run(nbdkit, ['--dump-config']),
  ]);
  const facts: V2vHostFacts = {};
  const v2vVersion = version.exitCode === 0 ? parseV2vVersion(String(version.stdout)) : undefined;
  if (v2vVersion !== undefined && features.exitCode === 0) {
    const { inputs, outputs } = parseV2vFeatures(String(features.stdout));
    const nbdcopy = await run('nbdcopy', ['--version']);
    facts.virtV2v = {
      version: v2vVersion,
      inputs,
      outputs,
      nbdcopy: nbdcopy.exitCode === 0 ? 'installed' : 'missing',
      source: `\`${v2v} --version\` and \`${v2v} --machine-readable\`; \`nbdcopy --version\` ${nbdcopy.exitCode === 0 ? 'answered' : 'did not run'}`,
    };
  }
  if (dump.exitCode === 0) {
    const config = parseNbdkitConfig(String(dump.stdout));
    const list = async (dir: string | undefined) => (dir ? await readdir(dir).catch(() => []) : []);
    facts.nbdkit = {
      ...(config['version'] ? { version: config['version'] } : {}),
      plugins: namesIn(await list(config['plugindir']), 'plugin'),
      filters: namesIn(await list(config['filterdir']), 'filter'),
      source: `\`${nbdkit} --dump-config\` (plugindir=${config['plugindir'] ?? '?'}, filterdir=${config['filterdir'] ?? '?'}), their listings`,
    };
  }
  return facts;
}
