/**
 * Reads the files of a scan on a second thread while the main thread judges the files before them: stat, probe and
 * header of each file are most of a file's cost that is not judging, so on two cores the judging thread is left
 * with little else. A batch that cannot be had (the worker failed to start) is read by the caller itself.
 */
import { Worker } from 'node:worker_threads';
import type { ImageFacts } from '../model/image.js';

export class FactsPrefetch {
  private readonly worker: Worker;
  private readonly arrived = new Map<number, Map<string, ImageFacts>>();
  private readonly waiting = new Map<number, (facts: Map<string, ImageFacts> | undefined) => void>();
  private readonly asked = new Map<number, string[]>();
  private failed = false;

  /** `cwd`: the folder the names are relative to. */
  constructor(cwd: string) {
    this.worker = new Worker(new URL('./facts-worker.js', import.meta.url), {
      workerData: { cwd },
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    this.worker.on('message', ({ id, facts }: { id: number; facts: ImageFacts[] }) => {
      const names = this.asked.get(id) ?? [];
      this.asked.delete(id);
      const batch = new Map(names.map((name, i) => [name, facts[i] as ImageFacts]));
      const resolve = this.waiting.get(id);
      if (resolve) {
        this.waiting.delete(id);
        resolve(batch);
      } else {
        this.arrived.set(id, batch);
      }
    });
    this.worker.on('error', () => {
      this.failed = true;
      for (const resolve of this.waiting.values()) resolve(undefined);
      this.waiting.clear();
    });
  }

  /** Start reading batch `id`: names as the caller will ask for them. */
  request(id: number, names: string[]): void {
    if (this.failed) return;
    this.asked.set(id, names);
    this.worker.postMessage({ id, files: names });
  }

  /** The facts of batch `id` by name (read with the format probed); undefined when the worker failed. */
  async take(id: number): Promise<Map<string, ImageFacts> | undefined> {
    if (this.failed) return undefined;
    const ready = this.arrived.get(id);
    if (ready) {
      this.arrived.delete(id);
      return ready;
    }
    return new Promise((resolve) => this.waiting.set(id, resolve));
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
