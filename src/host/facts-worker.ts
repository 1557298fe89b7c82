/**
 * The thread that reads a scan's files ahead of the judging thread: each file's facts (stat, probe, header), as
 * readImageFacts gives them there, for a batch of names at a time. Started by host/facts-prefetch.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readImageFacts } from './image-facts.js';

const { cwd } = workerData as { cwd: string };
parentPort?.on('message', ({ id, files }: { id: number; files: string[] }) => {
  parentPort?.postMessage({ id, facts: files.map((name) => readImageFacts(name, cwd)) });
});
