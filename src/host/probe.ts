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

export type ProbeOutcome = 'allowed' | 'read-only-only' | 'not-whitelisted' | 'unavailable';
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
export class ProbeError extends Error {
  override name = 'ProbeError';
}

/** Format drivers (is_format), 7.2 and 10.x alike (qemu-block-layer.md §7). */
const FORMATS = ['qcow2', 'qcow', 'qed', 'raw', 'vmdk', 'vpc', 'vhdx', 'vdi', 'parallels', 'luks', 'bochs', 'cloop', 'dmg'];
const PROTOCOLS = [
  'file', 'host_device', 'host_cdrom', 'nbd', 'http', 'https', 'ftp', 'ftps', 'gluster', 'iscsi', 'iser',
  'nfs', 'ssh', 'rbd', 'nvme', 'null-co', 'null-aio', 'vvfat',
  // blkio (10.x; a modular 7.2 blkio registers no names, see qemu-block-layer.md §5)
  'io_uring', 'nvme-io_uring', 'virtio-blk-vfio-pci', 'virtio-blk-vhost-user', 'virtio-blk-vhost-vdpa',
];
/** Filters and the rest; each opens over child nodes made beforehand (see bases()). */
const OVER_CHILDREN = [
  'blkdebug', 'blkverify', 'blklogwrites', 'blkreplay', 'compress', 'copy-before-write', 'copy-on-read',
  'preallocate', 'replication', 'throttle', 'quorum', 'snapshot-access',
];

/** Every driver format_name of QEMU 7.2 and 10.x except the unregistered commit_top and mirror_top. */
export const PROBE_DRIVERS: readonly string[] = [...FORMATS, ...PROTOCOLS, ...OVER_CHILDREN];

/**
 * Formats qemu-img makes; the others get a raw file (see makeImages). luks is left out on
 * purpose: creating one runs a PBKDF benchmark (2.25 s with stock 7.2, sometimes failing with
 * "Unable to get accurate CPU usage"), and our builds lack xts ("Unsupported cipher mode xts").
 */
const CREATABLE = ['qcow2', 'qcow', 'qed', 'vmdk', 'vpc', 'vhdx', 'vdi', 'parallels'];

type Json = Record<string, unknown>;

interface Setup {
  dir: string;
  /** Node name of a `file` node over each format's image. */
  fileNode: Record<string, string>;
  /** Two spare child nodes for filters, quorum, blkverify, ... */
  base: [string, string];
}

/**
 * The driver's own options, chosen to satisfy its QAPI schema (7.2 and 10.x) so that any error
 * comes from the driver's open, which runs after the whitelist check in bdrv_open_common.
 */
function driverOptions(driver: string, s: Setup): Json {
  const [b0, b1] = s.base;
  const missing = (name: string) => join(s.dir, `no-such-${name}`);
  switch (driver) {
    case 'file': return { filename: join(s.dir, 'f.raw') };
    case 'host_device': case 'host_cdrom': return { filename: missing(driver) };
    case 'nbd': return { server: { type: 'unix', path: missing('nbd.sock') } };
    case 'http': case 'https': case 'ftp': case 'ftps': return { url: `${driver}://127.0.0.1:1/x` };
    case 'gluster': return { volume: 'blockgate', path: '/x', server: [{ type: 'inet', host: '127.0.0.1', port: '1' }] };
    case 'iscsi': case 'iser':
      return { transport: driver === 'iser' ? 'iser' : 'tcp', portal: '127.0.0.1:1', target: 'iqn.2008-11.org.linux-kvm:blockgate', lun: 0 };
    // A path without '/' is refused by nfs.c ("Invalid URL specified") before libnfs asks a portmapper (port 111).
    case 'nfs': return { server: { type: 'inet', host: '127.0.0.1' }, path: 'blockgate' };
    case 'ssh': return { server: { host: '127.0.0.1', port: '1' }, path: '/x' };
    // A missing conf file fails in qemu_rbd_connect before rados_connect (which can wait minutes).
    case 'rbd': return { pool: 'blockgate', image: 'x', conf: missing('ceph.conf') };
    case 'nvme': return { device: 'blockgate-none', namespace: 1 };
    case 'null-co': case 'null-aio': return {};
    case 'vvfat': return { dir: join(s.dir, 'vvfat') };
    case 'io_uring': return { filename: missing(driver) };
    case 'nvme-io_uring': case 'virtio-blk-vfio-pci': case 'virtio-blk-vhost-user': case 'virtio-blk-vhost-vdpa':
      return { path: missing(driver) };
    case 'blkdebug': case 'blkreplay': return { image: b0 };
    case 'blkverify': return { test: b0, raw: b1 };
    case 'blklogwrites': return { file: b0, log: b1 };
    case 'copy-before-write': return { file: b0, target: b1 };
    case 'replication': return { file: b0, mode: 'primary' };
    case 'throttle': return { file: b0, 'throttle-group': 'blockgate' };
    case 'quorum': return { children: [b0], 'vote-threshold': 1 };
    case 'compress': case 'copy-on-read': case 'preallocate': case 'snapshot-access': return { file: b0 };
    default: {
      const file = s.fileNode[driver];
      if (file === undefined) throw new ProbeError(`blockgate does not know how to probe driver '${driver}'`);
      return { file };
    }
  }
}

// Whitelist and availability messages name the driver (block.c bdrv_open_common,
// bdrv_fill_options, bdrv_find_protocol; QAPI enum rejection in 7.2 and 10.x, and
// "Invalid parameter" from older QAPI visitors). Only the tested driver's name counts: a
// child refused after the parent passed its own check means the parent was allowed.
const NAMED_REFUSALS: { pattern: RegExp; outcome: ProbeOutcome }[] = [
  { pattern: /Driver '([^']*)' is not whitelisted/, outcome: 'not-whitelisted' },
  { pattern: /Driver '([^']*)' can only be used for read-only devices/, outcome: 'read-only-only' },
  { pattern: /Unknown driver:? '([^']*)'/, outcome: 'unavailable' },
  { pattern: /Unknown protocol '([^']*)'/, outcome: 'unavailable' },
  { pattern: /Parameter 'driver' does not accept value '([^']*)'/, outcome: 'unavailable' },
  { pattern: /Invalid parameter '([^']*)'/, outcome: 'unavailable' },
];

/** What one reply to a probe of `driver` means. Success and every later error: allowed. */
export function classifyProbeReply(driver: string, reply: QmpReply): { outcome: ProbeOutcome; detail: string } {
  if (!('error' in reply)) return { outcome: 'allowed', detail: 'opened' };
  const detail = reply.error.desc.trim();
  for (const { pattern, outcome } of NAMED_REFUSALS) {
    if (pattern.exec(detail)?.[1] === driver) return { outcome, detail };
  }
  return { outcome: 'allowed', detail };
}

// QAPI validation (qapi/qobject-input-visitor.c) runs before any block code: such an error says
// nothing about the driver, only that the schema of this QEMU differs from what we sent.
const QAPI_REJECTION = /^(Parameter '[^']*' (is missing|is unexpected|does not accept value|expects)|Invalid parameter)/;

export function isQapiRejection(reply: QmpReply): boolean {
  return 'error' in reply && QAPI_REJECTION.test(reply.error.desc);
}

/** HMP prints nothing on success; errors as the message (7.2) or "Error: message" (10.x). */
export function hmpReply(reply: QmpReply): QmpReply {
  if ('error' in reply) return reply;
  const text = typeof reply.return === 'string' ? reply.return.trim().replace(/^Error: /, '') : '';
  return text === '' ? { return: {} } : { error: { class: 'GenericError', desc: text } };
}

/** `a: {b: 1}, c: [x]` as QemuOpts `a.b=1,c.0=x` (commas doubled, booleans on/off). */
export function dottedOptions(options: Json, prefix = ''): string[] {
  return Object.entries(options).flatMap(([key, value]): string[] => {
    const name = `${prefix}${key}`;
    if (Array.isArray(value)) return dottedOptions(Object.fromEntries(value.entries()), `${name}.`);
    if (typeof value === 'object' && value !== null) return dottedOptions(value as Json, `${name}.`);
    const text = typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value);
    return [`${name}=${text.replaceAll(',', ',,')}`];
  });
}

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
    if (node === undefined) throw new ProbeError(`cannot open a 'file' node on this build, so no format can be probed (${p.where()})`);
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
  await Promise.all(formats.map(async (format) => {
    const path = join(dir, `t.${format}`);
    for (const qemuImg of CREATABLE.includes(format) ? qemuImgs : []) {
      const run = await execa(qemuImg, ['create', '-q', '-f', format, path, '1M'], { env, reject: false, timeout: 20_000 });
      if (run.exitCode === 0) return;
    }
    await writeFile(path, raw);
  }));
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
    await makeImages(dir, drivers.filter((d) => FORMATS.includes(d)), qemuImgFor(options), env);
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
