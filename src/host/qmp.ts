/**
 * A minimal QMP client over a child's stdio (`-qmp stdio`). It starts the program itself, so
 * it can guarantee the one thing callers rely on: it never hangs. When `timeoutMs` runs out the
 * child's whole process group gets SIGKILL, which ends stdout and fails any command still
 * waiting. The group, not just the child: a wrapper (`sh -c`, `unshare` without exec) that is
 * killed alone leaves its children holding our pipes open, and the run would wait for them.
 */
import { execa } from 'execa';

export interface QmpErrorBody {
  class: string;
  desc: string;
}

export type QmpReply = { return: unknown } | { error: QmpErrorBody };

export interface QmpStartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
}

export interface QmpExit {
  /** null when the child was killed (timeout) or died from a signal. */
  exitCode: number | null;
  signal?: string;
  timedOut: boolean;
  /** Everything the child wrote to stderr, byte for byte (no trimming). */
  stderr: string;
}

/** The child closed stdout (exited) before answering. */
export class QmpClosedError extends Error {}

type Message = Record<string, unknown>;

function spawn(program: string, args: readonly string[], options: QmpStartOptions) {
  return execa(program, args, {
    cwd: options.cwd,
    env: options.env,
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: { stdout: false, stderr: true },
    stripFinalNewline: false,
    reject: false,
    // Its own process group, so killGroup() reaches every descendant (see the header).
    detached: true,
  });
}

export class QmpSession {
  private readonly child: ReturnType<typeof spawn>;
  private readonly inbox: Message[] = [];
  private pending = '';
  private closed = false;
  private wake: (() => void) | undefined;
  private nextId = 0;
  private timedOut = false;
  private readonly timer: NodeJS.Timeout;
  // A detached child outlives us unless we kill it; QEMU paused on -S would wait forever.
  private readonly onParentExit = () => this.killGroup();

  private constructor(program: string, args: readonly string[], options: QmpStartOptions) {
    this.child = spawn(program, args, options);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.killGroup();
    }, options.timeoutMs);
    process.once('exit', this.onParentExit);
    // Writing to a child that already exited raises EPIPE on stdin; the exit is reported by exit().
    this.child.stdin.on('error', () => {});
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.receive(chunk));
    this.child.stdout.on('close', () => this.close());
    this.child.stdout.on('error', () => this.close());
  }

  static start(program: string, args: readonly string[], options: QmpStartOptions): QmpSession {
    return new QmpSession(program, args, options);
  }

  /** Waits for the `{"QMP": ...}` greeting and negotiates capabilities. */
  async handshake(): Promise<Message> {
    const greeting = await this.next((message) => 'QMP' in message);
    const reply = await this.execute('qmp_capabilities');
    if ('error' in reply) throw new Error(`qmp_capabilities failed: ${reply.error.desc}`);
    return greeting;
  }

  /** Sends one command and returns its reply; events arriving meanwhile are dropped. */
  async execute(command: string, args?: Record<string, unknown>): Promise<QmpReply> {
    const id = `bg${this.nextId++}`;
    const request = args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
    this.child.stdin.write(`${JSON.stringify(request)}\n`);
    const reply = await this.next((message) => message.id === id);
    if ('error' in reply) return { error: reply.error as QmpErrorBody };
    return { return: reply.return };
  }

  /** Sends `quit` without waiting for its reply (QEMU may exit before flushing it). */
  quit(): void {
    this.child.stdin.write(`${JSON.stringify({ execute: 'quit' })}\n`);
    this.child.stdin.end();
  }

  /** Closes stdin and waits for the child. QEMU does not quit on EOF: quit() or the timeout ends it. */
  async exit(): Promise<QmpExit> {
    if (!this.child.stdin.writableEnded) this.child.stdin.end();
    // execa settles once stdout/stderr are closed too; the timer still covers a descendant
    // that keeps them open after the child itself exited.
    const result = await this.child;
    clearTimeout(this.timer);
    process.off('exit', this.onParentExit);
    if (result.failed && result.exitCode === undefined && !result.isTerminated) {
      // Spawning itself failed (ENOENT, EACCES): not data about QEMU, a broken setup.
      throw new Error(`could not run ${result.command}: ${result.shortMessage}`, { cause: result.cause });
    }
    const exit: QmpExit = {
      exitCode: result.exitCode ?? null,
      timedOut: this.timedOut,
      stderr: typeof result.stderr === 'string' ? result.stderr : '',
    };
    if (result.signal !== undefined) exit.signal = result.signal;
    return exit;
  }

  /** Kills the child (and its process group) now; exit() still reports how it ended. */
  kill(): void {
    this.killGroup();
  }

  private killGroup(): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  private receive(chunk: string): void {
    this.pending += chunk;
    for (let newline = this.pending.indexOf('\n'); newline >= 0; newline = this.pending.indexOf('\n')) {
      const line = this.pending.slice(0, newline).trim();
      this.pending = this.pending.slice(newline + 1);
      if (line === '') continue;
      try {
        const message: unknown = JSON.parse(line);
        if (typeof message === 'object' && message !== null && !('event' in message)) {
          this.inbox.push(message as Message);
        }
      } catch {
        // Not QMP (e.g. a serial or monitor also set to stdio by the caller): ignored.
      }
    }
    this.wake?.();
  }

  private close(): void {
    this.closed = true;
    this.wake?.();
  }

  private async next(matches: (message: Message) => boolean): Promise<Message> {
    for (;;) {
      const index = this.inbox.findIndex(matches);
      if (index >= 0) return this.inbox.splice(index, 1)[0] as Message;
      if (this.closed) throw new QmpClosedError('QEMU closed QMP before answering');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }
}
