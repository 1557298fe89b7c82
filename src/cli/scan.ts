import fs from 'node:fs';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { Worker, parentPort, workerData } from 'node:worker_threads';
import type { Profile } from '../model/profile.js';
import { InputError } from '../errors.js';
import { loadProfile } from '../host/profiles.js';
import { FactsPrefetch } from '../host/facts-prefetch.js';
import { readImageFacts } from '../host/image-facts.js';
import type { ImageFacts } from '../model/image.js';
import type { ProbeFormat } from '../model/image.js';
import { judgeImage, newJudgeCache, type JudgeCache } from '../host/judge-image.js';
import { paintFor } from '../report/paint.js';
import { exitStatus, parseFormat, type Subject } from '../report/format.js';
import { findingsJunit } from '../report/junit.js';
import { sarifLog } from '../report/sarif.js';
import { failed, imageLine, imageSubject, shown } from '../report/image.js';
import { type Judged, lineOf, Summary } from '../report/scan.js';
import { toolMeta } from './meta.js';

export interface ScanOptions {
  json?: boolean;
  /** text (a line per image with findings, then the summary), json (one object per image per line), junit, sarif, github. */
  format?: string;
  strict?: boolean;
  profile?: Profile;
  /**
   * Worker threads judging images; default 1, in this thread. On the 2-vCPU VM bench/scan-speed.mjs ran on, two
   * threads were slower than one (the header reads did not get faster in parallel, and each thread warms its own JIT).
   */
  jobs?: number;
}

/** One folder's share of the work: files judged with that folder as the place they may reach. */
interface Task {
  id: number;
  root: string;
  /** The root is its own real path (no symlink above it). */
  real: boolean;
  files: string[];
}

/** What judging needs to know of the output: whether to make subjects, and whether warnings fail. */
interface Want {
  subjects: boolean;
  strict: boolean;
}

/** Files per task: big enough that messages are rare, small enough to spread the work. */
const TASK_SIZE = 256;
/** Below this many files starting threads costs more than it saves (bench/scan-speed.mjs). */
const INLINE_BELOW = 400;

/** blockgate scan DIR...: every regular file under the folders judged like `image`; exit 1 if any fails. */
export async function runScan(dirs: string[], options: ScanOptions): Promise<void> {
  const format = parseFormat(options);
  const profile = options.profile ?? (await loadProfile(undefined));
  const tasks = walk(dirs);
  const total = tasks.reduce((n, t) => n + t.files.length, 0);
  const summary = new Summary();
  const progress = process.stderr.isTTY
    ? (done: number) => process.stderr.write(`\rscanned ${done}/${total}`)
    : undefined;
  const paint = paintFor(process.stdout, process.env);
  const want: Want = { subjects: format !== 'text' && format !== 'json', strict: options.strict === true };
  /** JUnit and SARIF are one document: their subjects wait for the end. json and github lines stream. */
  const whole: Subject[] = [];
  /** Prints a task's lines; false when stdout is full (a pipe that is read slower than we write). */
  const emit = (results: Judged[]): boolean => {
    let out = '';
    for (const r of results) {
      summary.add(r);
      const line = lineOf(format, r, paint);
      if (line) out += `${line}\n`;
      if ((format === 'junit' || format === 'sarif') && r.subject) whole.push(r.subject);
    }
    progress?.(summary.images);
    return out ? process.stdout.write(out) : true;
  };
  const jobs = Math.max(1, options.jobs ?? 1);
  if (jobs === 1 || total < INLINE_BELOW) {
    await inThisThread(tasks, profile, want, emit, total >= INLINE_BELOW);
  } else {
    await inWorkers(tasks, profile, jobs, want, emit);
  }
  if (progress) process.stderr.write('\r\u001b[K');
  const report = { suite: `blockgate scan ${profile.name}`, cwd: process.cwd(), subjects: whole };
  if (format === 'junit') process.stdout.write(`${findingsJunit(report)}\n`);
  if (format === 'sarif') process.stdout.write(`${sarifLog(report, toolMeta())}\n`);
  const text = summary.text(paint);
  // Only the text format has the summary on stdout: every other one is a document or a stream a program reads.
  if (format === 'text') process.stdout.write(`${text}\n`);
  else process.stderr.write(`${text}\n`);
  process.exitCode = exitStatus(
    summary.failed > 0,
    summary.warnings > 0 ? [{ severity: 'warning' }] : [],
    options.strict,
  );
}

/**
 * Judges the tasks in order in this thread; with `prefetch`, a second thread reads the files (stat, probe, header) two
 * tasks ahead, so this one spends its time judging (bench/scan-speed.mjs).
 */
async function inThisThread(
  tasks: Task[],
  profile: Profile,
  want: Want,
  emit: (r: Judged[]) => boolean,
  prefetch: boolean,
): Promise<void> {
  const cache = newJudgeCache();
  const cwd = process.cwd();
  const ahead = prefetch ? new FactsPrefetch(cwd) : undefined;
  const ask = (i: number) => {
    const task = tasks[i];
    if (task) ahead?.request(i, task.files);
  };
  ask(0);
  ask(1);
  try {
    for (const [i, task] of tasks.entries()) {
      const facts = await ahead?.take(i);
      ask(i + 2);
      // Waiting for the reader keeps memory flat: unread lines would pile up in the stream's queue.
      if (!emit(judgeTask(task, profile, cwd, cache, want, facts))) await once(process.stdout, 'drain');
    }
  } finally {
    await ahead?.close();
  }
}

/** Regular files under each folder, in name order; symlinks (to files or folders) and special files are left alone. */
export function walk(dirs: string[]): Task[] {
  const tasks: Task[] = [];
  for (const dir of dirs) {
    const st = fs.statSync(dir, { throwIfNoEntry: false });
    if (!st?.isDirectory()) throw new InputError(`scan: '${dir}' is not a folder`);
    const root = resolve(dir);
    const real = fs.realpathSync.native(root) === root;
    let files: string[] = [];
    const visit = (folder: string) => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(folder, { withFileTypes: true });
      } catch (error) {
        process.stderr.write(`blockgate: scan: cannot list '${folder}': ${(error as Error).message}\n`);
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) visit(path);
        else if (entry.isFile()) {
          files.push(path);
          if (files.length === TASK_SIZE) {
            tasks.push({ id: tasks.length, root, real, files });
            files = [];
          }
        }
      }
    };
    visit(dir);
    if (files.length > 0) tasks.push({ id: tasks.length, root, real, files });
  }
  return tasks;
}

/** `ahead`: the facts of the task's files (probed), read ahead on another thread. */
function judgeTask(
  task: Task,
  profile: Profile,
  cwd: string,
  cache: JudgeCache,
  want: Want,
  ahead?: Map<string, ImageFacts>,
): Judged[] {
  const read = ahead
    ? (name: string, format?: ProbeFormat) =>
        (format === undefined ? ahead.get(name) : undefined) ?? readImageFacts(name, cwd, format)
    : undefined;
  // The walk went through no symlink, so below a real root each file is where its name says: no lstat needed.
  if (task.real) {
    for (const file of task.files) {
      const full = resolve(cwd, file);
      cache.places.set(full, full);
    }
  }
  return task.files.map((file) => {
    const j = judgeImage(file, cwd, profile, { root: task.root, cache, ...(read ? { read } : {}) });
    const findings = shown(j);
    const errors = findings.filter((f) => f.severity === 'error').map((f) => f.code);
    const warnings = findings.filter((f) => f.severity === 'warning').map((f) => f.code);
    const codes = [...errors, ...warnings];
    return {
      path: file,
      line: want.subjects ? '' : imageLine(j, findings),
      verdict: j.check.verdict,
      codes,
      errors: errors.length,
      warnings: warnings.length,
      failed: failed(j, findings),
      ...(want.subjects ? { subject: imageSubject(j, want.strict) } : {}),
    };
  });
}

type FromWorker = { id: number; results: Judged[] } | { error: string };

/** Results come back in any order; they are printed in walk order. */
async function inWorkers(
  tasks: Task[],
  profile: Profile,
  jobs: number,
  want: Want,
  emit: (r: Judged[]) => boolean,
): Promise<void> {
  const pending = [...tasks];
  const done = new Map<number, Judged[]>();
  let next = 0;
  const flush = () => {
    for (let r = done.get(next); r; r = done.get(next)) {
      done.delete(next++);
      emit(r);
    }
  };
  const source = `import(${JSON.stringify(import.meta.url)}).then((m) => m.scanWorker())`;
  const workers = Array.from(
    { length: Math.min(jobs, tasks.length) },
    () => new Worker(source, { eval: true, workerData: { profile, cwd: process.cwd(), want } }),
  );
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((ok, fail) => {
            const give = () => {
              const task = pending.shift();
              if (task) worker.postMessage(task);
              else ok();
            };
            worker.on('message', (m: FromWorker) => {
              if ('error' in m) return fail(new Error(m.error));
              done.set(m.id, m.results);
              flush();
              give();
            });
            worker.on('error', fail);
            give();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The worker's side: judge each task it is given, with one facts cache for all of them. */
export function scanWorker(): void {
  const { profile, cwd, want } = workerData as { profile: Profile; cwd: string; want: Want };
  const cache = newJudgeCache();
  parentPort?.on('message', (task: Task) => {
    try {
      parentPort?.postMessage({ id: task.id, results: judgeTask(task, profile, cwd, cache, want) });
    } catch (error) {
      parentPort?.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
}
