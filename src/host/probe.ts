/**
 * `blockgate probe`: the ground truth of one QEMU build. One paused qemu-system (`-machine none
 * -S`, no guest) answers `blockdev-add` for every known driver, read-write and read-only, and
 * the reply says which layer refused. Nothing is read from or written to outside a temp dir,
 * and network drivers only ever point at 127.0.0.1 port 1 or a socket that does not exist.
 */
import { execa } from 'execa';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { QmpClosedError, QmpSession, type QmpReply } from './qmp.js';
import { ProbeError } from './probe-error.js';
import {
  CREATABLE,
  FORMATS,
  OVER_CHILDREN,
  PROBE_DRIVERS,
  driverOptions,
  type Json,
  type Setup,
} from './probe-drivers.js';
import { dottedOptions, hmpReply, isQapiRejection, classifyProbeReply, type ProbeOutcome } from './probe-replies.js';

export { ProbeError } from './probe-error.js';
export { PROBE_DRIVERS } from './probe-drivers.js';
export { classifyProbeReply, dottedOptions, hmpReply, isQapiRejection, type ProbeOutcome } from './probe-replies.js';

export type ProbeAccess = 'rw' | 'ro';

export interface ProbeResult {
  rw: ProbeOutcome;
  ro: ProbeOutcome;
  rwDetail: string;
  roDetail: string;
}

export interface ProbeReport {
  /** The QMP greeting's version, e.g. "7.2.22". */
  version: string;
  results: Record<string, ProbeResult>;
}

export interface ProbeOptions {
  qemu: string;
  /** Makes the test images; default: qemu-img next to qemu, then /usr/bin/qemu-img. */
  qemuImg?: string;
  /** Set as QEMU_MODULE_DIR (QEMU still searches its built-in dir after it). */
  moduleDir?: string;
  env?: NodeJS.ProcessEnv;
  /** A subset of PROBE_DRIVERS; default all. */
  drivers?: string[];
  /** The whole run; QEMU is killed when it runs out. */
  timeoutMs?: number;
  /** Every raw reply, for recording test fixtures. */
  onReply?: (driver: string, access: ProbeAccess, command: ProbeCommand, reply: QmpReply) => void;
}

export type ProbeCommand = 'blockdev-add' | 'drive_add';

/** QEMU did not start, died, or could not set up what the probe needs. */

/** Format drivers (is_format), 7.2 and 10.x alike (qemu-block-layer.md §7). */
class Prober {
  constructor(
    private readonly session: QmpSession,
    private readonly onReply: ProbeOptions['onReply'],
  ) {}

  private current = '';

  /** blockdev-add; when QAPI rejects it (no such enum value, e.g. iser, or a schema from another
   * version), `drive_add -n`, which hands the same options to bdrv_open unvalidated (bds_tree_init). */
  async add(driver: string, access: ProbeAccess, nodeName: string, options: Json, record = true): Promise<QmpReply> {
    this.current = `${driver} (${access})`;
    const args = { driver, 'node-name': nodeName, ...options, 'read-only': access === 'ro', 'auto-read-only': false };
    const reply = await this.session.execute('blockdev-add', args);
    if (record) this.onReply?.(driver, access, 'blockdev-add', reply);
    if (!isQapiRejection(reply)) return reply;
    // HMP reads a quoted argument with backslash escapes (monitor/hmp.c get_str).
    const opts = dottedOptions(args).join(',').replaceAll('\\', '\\\\').replaceAll('"', '\\"');
    const hmp = await this.session.execute('human-monitor-command', { 'command-line': `drive_add -n 0 "${opts}"` });
    if (record) this.onReply?.(driver, access, 'drive_add', hmp);
    return hmpReply(hmp);
  }

  async del(nodeName: string): Promise<void> {
    await this.session.execute('blockdev-del', { 'node-name': nodeName });
  }

  where(): string {
    return this.current;
  }
}

async function probeOne(p: Prober, driver: string, setup: Setup): Promise<ProbeResult> {
  const options = driverOptions(driver, setup);
  const out: Partial<ProbeResult> = {};
  for (const access of ['rw', 'ro'] as const) {
    const nodeName = `bg-${driver}-${access}`;
    const reply = await p.add(driver, access, nodeName, options);
    if (!('error' in reply)) await p.del(nodeName);
    const { outcome, detail } = classifyProbeReply(driver, reply);
    out[access] = outcome;
    out[`${access}Detail`] = detail;
  }
  return out as ProbeResult;
}

/** A node of `driver`, rw if it can be, else ro; undefined when neither opens. */
async function baseNode(p: Prober, nodeName: string, driver: string, options: Json): Promise<string | undefined> {
  for (const access of ['rw', 'ro'] as const) {
    const reply = await p.add(driver, access, nodeName, options, false);
    if (!('error' in reply)) return nodeName;
  }
  return undefined;
}

/**
 * Children are made first and passed by node-name: bdrv_open_inherit opens an inline `file`
 * child *before* the parent's own whitelist check, so an inline child refused by the whitelist
 * would hide the parent's verdict. A reference is only looked up. null-co is preferred; a
 * `file` node over a raw image serves where null-co is not listed (rhel7).
 */
async function bases(p: Prober, drivers: string[], dir: string): Promise<Setup> {
  const setup: Setup = { dir, fileNode: {}, base: ['', ''] };
  for (const driver of drivers.filter((d) => FORMATS.includes(d))) {
    const node = await baseNode(p, `bg-file-${driver}`, 'file', { filename: join(dir, `t.${driver}`) });
    if (node === undefined)
      throw new ProbeError(`cannot open a 'file' node on this build, so no format can be probed (${p.where()})`);
    setup.fileNode[driver] = node;
  }
  if (!drivers.some((d) => OVER_CHILDREN.includes(d))) return setup;
  for (const index of [0, 1] as const) {
    const node =
      (await baseNode(p, `bg-base${index}`, 'null-co', {})) ??
      (await baseNode(p, `bg-base${index}-file`, 'file', { filename: join(dir, `b${index}.raw`) }));
    if (node === undefined) throw new ProbeError('cannot open a null-co or file node to put filters on');
    setup.base[index] = node;
  }
  return setup;
}

function qemuImgFor(options: ProbeOptions): string[] {
  const sibling = join(dirname(options.qemu), 'qemu-img');
  const candidates = [options.qemuImg, options.qemu.includes('/') ? sibling : undefined, '/usr/bin/qemu-img'];
  return [...new Set(candidates.filter((c): c is string => c !== undefined && existsSync(c)))];
}

/**
 * Tiny images of each format. bdrv_open_common checks the whitelist before the driver reads a
 * header, so a raw file stands in for luks, bochs, cloop and dmg (or any format no qemu-img makes).
 */
async function makeImages(dir: string, formats: string[], qemuImgs: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const raw = Buffer.alloc(64 * 1024);
  await Promise.all(['f.raw', 'b0.raw', 'b1.raw'].map((name) => writeFile(join(dir, name), raw)));
  await mkdir(join(dir, 'vvfat'));
  await Promise.all(
    formats.map(async (format) => {
      const path = join(dir, `t.${format}`);
      for (const qemuImg of CREATABLE.includes(format) ? qemuImgs : []) {
        const run = await execa(qemuImg, ['create', '-q', '-f', format, path, '1M'], {
          env,
          reject: false,
          timeout: 20_000,
        });
        if (run.exitCode === 0) return;
      }
      await writeFile(path, raw);
    }),
  );
}

function versionOf(greeting: Json): string {
  const qmp = greeting.QMP as { version?: { qemu?: { major: number; minor: number; micro: number } } } | undefined;
  const v = qmp?.version?.qemu;
  return v === undefined ? 'unknown' : `${v.major}.${v.minor}.${v.micro}`;
}

export async function probeBuild(options: ProbeOptions): Promise<ProbeReport> {
  const drivers = options.drivers ?? [...PROBE_DRIVERS];
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  if (options.moduleDir !== undefined) env.QEMU_MODULE_DIR = options.moduleDir;
  const dir = await mkdtemp(join(tmpdir(), 'blockgate-probe-'));
  try {
    await makeImages(
      dir,
      drivers.filter((d) => FORMATS.includes(d)),
      qemuImgFor(options),
      env,
    );
    const args = ['-machine', 'none', '-display', 'none', '-nodefaults', '-S', '-qmp', 'stdio'];
    const session = QmpSession.start(options.qemu, args, { cwd: dir, env, timeoutMs: options.timeoutMs ?? 60_000 });
    const prober = new Prober(session, options.onReply);
    try {
      const version = versionOf(await session.handshake());
      const setup = await bases(prober, drivers, dir);
      const results: Record<string, ProbeResult> = {};
      for (const driver of drivers) results[driver] = await probeOne(prober, driver, setup);
      for (const node of [...Object.values(setup.fileNode), ...setup.base].filter(Boolean)) await prober.del(node);
      session.quit();
      await session.exit();
      return { version, results };
    } catch (error) {
      session.kill();
      const exit = await session.exit().catch((spawn: Error) => {
        const code = (spawn.cause as NodeJS.ErrnoException | undefined)?.code;
        throw new ProbeError(`could not run ${options.qemu}${code ? ` (${code})` : ''}`, { cause: spawn });
      });
      if (!(error instanceof QmpClosedError)) throw error;
      const how = exit.timedOut ? 'was killed after the timeout' : `exited with status ${exit.exitCode ?? exit.signal}`;
      const during = prober.where() === '' ? 'before QMP started' : `while probing ${prober.where()}`;
      const said = exit.stderr.trim().split('\n').at(-1) ?? '';
      throw new ProbeError(`${options.qemu} ${how} ${during}${said ? `: ${said}` : ''}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
