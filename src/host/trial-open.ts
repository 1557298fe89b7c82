/**
 * Runs a real qemu-system command far enough to open its disks, without running a guest, and
 * reports what really opened. This is reality for integration tests and `verify`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNamedBlockNodes, parseQueryBlock, type BlockDevice, type OpenedNode } from './qmp-parse.js';
import { QmpClosedError, QmpSession } from './qmp.js';

export interface TrialOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Collect `bdrv_open_common` trace lines (needs a binary with the log trace backend). */
  trace?: boolean;
}

export interface TrialResult {
  /** 0 after our `quit`; QEMU's status when it refused the command line; null when killed. */
  exitCode: number | null;
  /** Exactly what QEMU printed on stderr. Trace lines go to a separate log (-D), not here. */
  stderr: string;
  /** QMP came up: every -drive/-blockdev opened and every device was realized. */
  started: boolean;
  nodes: OpenedNode[];
  blocks: BlockDevice[];
  /** Raw `bdrv_open_common` lines, in open order; parse them with parseTraceLine. */
  trace: string[];
}

/** Where firmware may be on a Debian host; see harmlessArgs. */
const FIRMWARE_DIRS = ['/usr/share/seabios', '/usr/share/qemu', '/usr/lib/ipxe/qemu'];

const CHARDEV_OPTIONS = ['-serial', '-monitor', '-parallel'];

function given(args: readonly string[], option: string): boolean {
  return args.some((arg) => arg === option || arg === `-${option}`);
}

/**
 * The caller's stdio chardevs, turned off: `-qmp stdio` needs stdin/stdout, and QEMU refuses a
 * second user ("cannot use stdio by multiple character devices"). A serial port or monitor has
 * no part in opening disks, so `-serial stdio` becomes `-serial none`, `-chardev stdio,id=x`
 * becomes `-chardev null,id=x`.
 */
function withoutStdio(args: readonly string[]): string[] {
  return args.map((arg, index) => {
    const option = (args[index - 1] ?? '').replace(/^--/, '-');
    if (CHARDEV_OPTIONS.includes(option) && /^(mon:)?stdio$/.test(arg)) return 'none';
    if (option === '-chardev' && /^stdio(,|$)/.test(arg)) {
      const kept = arg.split(',').filter((part) => /^(id|mux)=/.test(part));
      return ['null', ...kept].join(',');
    }
    return arg;
  });
}

/**
 * The caller's command line made harmless to run here. Appended after the caller's arguments:
 * - `-S`: the CPUs never start, so no guest code runs, yet the whole block graph is opened and
 *   every device realized before QMP answers (vl.c opens -drive/-blockdev, then creates the
 *   machine and devices, then enters the main loop that serves QMP).
 * - `-display none`, and `-monitor/-serial/-parallel none` unless the caller chose them: no
 *   window, and nothing else competing for stdio, which `-qmp stdio` needs for itself.
 * - `-L <dir>` for each firmware dir. Our own builds (oracle-builds.md) have no blobs and
 *   search their own prefix, so with the default machine (pc) they stop with `qemu: could not
 *   load PC BIOS 'bios-256k.bin'`; given only /usr/share/seabios, the default e1000 NIC then
 *   fails with `failed to find romfile "efi-e1000.rom"` (after `Could not open option rom
 *   'kvmvapic.bin'`). Debian keeps these in /usr/share/seabios, /usr/lib/ipxe/qemu and
 *   /usr/share/qemu; with all three, `-M pc` and `-M q35` start (checked on 7.2.22). Stock
 *   Debian QEMU searches the same dirs anyway, so this changes nothing there. `-nodefaults`
 *   would avoid the ROMs too, but it changes the machine: the default NIC, VGA and the empty
 *   `ide1-cd0`/`floppy0` drives that query-block reports in the real run would be missing.
 */
export function harmlessCommand(args: readonly string[]): string[] {
  const command = [...withoutStdio(args), '-S', '-display', 'none', '-qmp', 'stdio'];
  for (const option of CHARDEV_OPTIONS) {
    if (!given(args, option)) command.push(option, 'none');
  }
  for (const dir of FIRMWARE_DIRS) command.push('-L', dir);
  return command;
}

export async function trialOpen(program: string, args: readonly string[], options: TrialOptions): Promise<TrialResult> {
  const logDir = options.trace ? await mkdtemp(join(tmpdir(), 'blockgate-trace-')) : undefined;
  const logFile = logDir === undefined ? undefined : join(logDir, 'trace.log');
  // The log backend writes trace events to stderr unless -D names a file; a file keeps stderr
  // exactly what the user would see. (Ours comes last, so it replaces a -D the caller gave.)
  const traceArgs = logFile === undefined ? [] : ['-trace', 'bdrv_open_common', '-D', logFile];
  const session = QmpSession.start(program, [...harmlessCommand(args), ...traceArgs], options);
  try {
    const opened = await inspect(session);
    const exit = await session.exit();
    const trace = logFile === undefined ? [] : await readTrace(logFile);
    return { exitCode: exit.exitCode, stderr: exit.stderr, ...opened, trace };
  } catch (error) {
    session.kill();
    await session.exit().catch(() => undefined);
    throw error;
  } finally {
    if (logDir !== undefined) await rm(logDir, { recursive: true, force: true });
  }
}

type Opened = Pick<TrialResult, 'started' | 'nodes' | 'blocks'>;

async function inspect(session: QmpSession): Promise<Opened> {
  try {
    await session.handshake();
  } catch (error) {
    // QEMU refused the command line and exited before QMP: exit code and stderr tell why.
    if (error instanceof QmpClosedError) return { started: false, nodes: [], blocks: [] };
    throw error;
  }
  let named = await session.execute('query-named-block-nodes', { flat: true });
  // `flat` (QEMU 5.0+) only drops the nested backing-image info from each entry; older QEMUs
  // reject the argument, and list the same nodes without it.
  if ('error' in named) named = await session.execute('query-named-block-nodes');
  const block = await session.execute('query-block');
  session.quit();
  if ('error' in named) throw new Error(`query-named-block-nodes: ${named.error.desc}`);
  if ('error' in block) throw new Error(`query-block: ${block.error.desc}`);
  return {
    started: true,
    nodes: parseNamedBlockNodes(named.return),
    blocks: parseQueryBlock(block.return),
  };
}

async function readTrace(logFile: string): Promise<string[]> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line.includes('bdrv_open_common '));
}
