import { spawnSync } from 'node:child_process';

export const QEMU_IMG = '/usr/bin/qemu-img';

/**
 * `qemu-img create -q ARGS` in `dir`, retried on the 7.2 stable-branch LUKS benchmark bug that fails on fast
 * machines ("Unable to get accurate CPU usage", qemu-devel 2025-01, fixed upstream in 10.0).
 */
export function createImage(dir: string, ...args: string[]): void {
  for (let attempt = 1; ; attempt++) {
    const r = spawnSync(QEMU_IMG, ['create', '-q', ...args], { cwd: dir, encoding: 'utf8' });
    if (r.error) throw r.error;
    if (r.status === 0) return;
    if (!r.stderr.includes('Unable to get accurate CPU usage') || attempt >= 10) {
      throw new Error(`qemu-img create ${args.join(' ')}: ${r.stderr}`);
    }
  }
}
