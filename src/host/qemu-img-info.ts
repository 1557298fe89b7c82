/**
 * Reads a backing chain with the real `qemu-img info --backing-chain`. qemu-img info opens every
 * image read-only with BDRV_O_NO_BACKING|BDRV_O_NO_IO (qemu-img.c img_open in 7.2) and `-U`
 * (force-share) keeps it from taking or waiting for image locks, so nothing is opened for writing
 * and a running VM is not disturbed. A hostile image could still make it work hard, so it runs
 * under CPU and address-space limits when util-linux prlimit is there.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import type { ImageChain } from '../model/chain.js';
import { chainFromQemuImgJson, qemuImgErrorLine } from '../image/qemu-img-chain.js';

export interface QemuImgInfoOptions {
  /** The folder qemu-img runs in: relative names (and qcow2 data files) open from there. */
  cwd: string;
  qemuImg?: string;
  timeoutMs?: number;
}

/** 10 s of CPU and 1 GiB of address space: plenty for `info` (it reads headers only). */
const LIMITS = ['--cpu=10', '--as=1073741824', '--'];

let prlimitPath: string | null | undefined;

function findPrlimit(): string | null {
  if (prlimitPath !== undefined) return prlimitPath;
  prlimitPath = null;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, 'prlimit'), constants.X_OK);
      prlimitPath = join(dir, 'prlimit');
      break;
    } catch {
      // not in this folder
    }
  }
  return prlimitPath;
}

/** The chain qemu-img reports for `path` (named as it is to be opened from `cwd`). */
export async function readChainWithQemuImg(
  path: string,
  { cwd, qemuImg = 'qemu-img', timeoutMs = 10_000 }: QemuImgInfoOptions,
): Promise<ImageChain> {
  // `--` so that a name starting with '-' is a file name, not an option (getopt_long).
  const info = [qemuImg, 'info', '-U', '--backing-chain', '--output=json', '--', path];
  const prlimit = findPrlimit();
  const [file, ...args] = prlimit ? [prlimit, ...LIMITS, ...info] : info;
  const run = await execa(file as string, args, {
    cwd,
    reject: false,
    timeout: timeoutMs,
    stdin: 'ignore',
    stripFinalNewline: true,
  });
  if (run.timedOut) return { path, chain: [], error: `qemu-img info timed out after ${timeoutMs} ms` };
  // --backing-chain prints nothing when any image fails (collect_image_info_list frees the list).
  if (run.exitCode !== 0) {
    const reported = run.exitCode === undefined ? '' : qemuImgErrorLine(run.stderr, qemuImg);
    return { path, chain: [], error: reported || run.shortMessage };
  }
  let json: unknown;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    return { path, chain: [], error: 'qemu-img info printed no JSON' };
  }
  return chainFromQemuImgJson(path, json);
}
