import { expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Profile } from '../../src/model/profile.js';
import type { CheckResult } from '../../src/model/result.js';
import type { TrialResult } from '../../src/host/trial-open.js';
import { trialOpen } from '../../src/host/trial-open.js';
import { planCommand } from '../../src/plan/plan.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { factsReader } from '../../src/host/facts.js';
import { compareWithReality } from '../../src/engine/reality.js';
import type { Oracle } from './oracles.js';

/** The format drivers every oracle can create images of, with the options qemu-img needs. */
export const FORMATS = ['qcow2', 'raw', 'vmdk', 'vpc', 'vhdx', 'vdi', 'qcow', 'qed', 'parallels'] as const;

/**
 * Makes t.<fmt> for every format, overlays over vmdk and qcow, and a raw image to probe. Debian's stock qemu-img
 * makes them (the same 7.2.22 code as the oracles): a build that enforces the whitelist in its tools could not.
 */
export function makeImages(o: Oracle): string {
  const dir = mkdtempSync(join(tmpdir(), `blockgate-${o.name}-`));
  const img = (...args: string[]) => execFileSync('/usr/bin/qemu-img', ['create', '-q', ...args], { cwd: dir });
  for (const fmt of FORMATS) img('-f', fmt, `t.${fmt}`, '1M');
  img('-f', 'qcow2', '-b', 't.vmdk', '-F', 'vmdk', 'ov-vmdk.qcow2');
  img('-f', 'qcow2', '-b', 't.qcow', '-F', 'qcow', 'ov-qcow.qcow2');
  img('-f', 'raw', 'disk.img', '1M');
  mkdirSync(join(dir, 'fatdir'));
  return dir;
}

export interface Comparison {
  real: TrialResult;
  predicted: CheckResult;
}

/** Runs the real qemu-system and the prediction on the same command line, in the same folder. */
export async function compare(
  o: Oracle,
  profile: Profile,
  cwd: string,
  args: string[],
  program = o.qemu,
  prefix: string[] = [],
): Promise<Comparison> {
  const argv = ['-M', 'pc', ...args];
  const real = await trialOpen(program, [...prefix, ...argv], { cwd, env: o.env, timeoutMs: 30_000 });
  const predicted = evaluate(planCommand(['qemu-system-x86_64', ...argv], profile, factsReader(cwd)), profile);
  return { real, predicted };
}

/** The prediction and the real run agree: the same comparison `blockgate verify` makes. */
export function expectAgreement({ real, predicted }: Comparison): void {
  const agreement = compareWithReality(predicted, real);
  expect(agreement.differences).toEqual([]);
  if (agreement.network) expect(predicted.findings.map((f) => f.code)).toContain('remote-not-checked');
}
