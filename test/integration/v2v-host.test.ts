/**
 * The real virt-v2v 2.2 and nbdkit 1.32.5 of Debian 12 against the debian-12 profile and blockgate's plan:
 * the features virt-v2v reports, the plugins nbdkit has, a refused command word for word, and a real
 * conversion of the guest scripts/setup/30-v2v-guest.sh builds (fails, never skips, when it is missing).
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledProfiles } from '../../src/host/profiles.js';
import { inspectV2v } from '../../src/host/inspect-v2v.js';
import { planV2v } from '../../src/stack/v2v/plan.js';
import { evaluateStack } from '../../src/engine/stack.js';
import { factsReader } from '../../src/host/facts.js';
import { cacheDir } from '../support/oracles.js';

const debian = () => {
  const p = bundledProfiles()['debian-12'];
  if (!p) throw new Error('no debian-12 profile');
  return p;
};
const GUEST = join(cacheDir(), 'guests', 'debian12-minimal.img');
// The appliance runs under TCG. Nested KVM on this host is no faster way: with -cpu max or host QEMU 7.2 aborts
// ("failed to set MSR 0x10a to 0x69"), and with -cpu max,-arch-capabilities it starts but the appliance kernel runs
// about a thousand times slower than under TCG (still decompressing itself after minutes). Under TCG the
// conversion of the test guest takes about 100 s.
const ENV = { ...process.env, LIBGUESTFS_BACKEND: 'direct', LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg' };
const SETUP = join(dirname(fileURLToPath(import.meta.url)), '../../scripts/setup');

/** The guest of the current recipe, and nbdcopy: missing either, the conversion cannot pass, so say why at once. */
async function conversionPrerequisites(): Promise<void> {
  const recipe = /^readonly RECIPE=(\d+)$/m.exec(readFileSync(join(SETUP, '30-v2v-guest.sh'), 'utf8'))?.[1];
  const built = existsSync(`${GUEST}.recipe`) ? readFileSync(`${GUEST}.recipe`, 'utf8').trim() : undefined;
  if (!existsSync(GUEST) || built !== recipe) {
    throw new Error(
      `${GUEST} is missing or not of recipe ${recipe}: run scripts/setup/30-v2v-guest.sh (bash ` +
        'scripts/test-setup.sh does)',
    );
  }
  // virt-v2v 2.2 copies with nbdcopy (libnbd-bin), which Debian's virt-v2v package does not pull in.
  if ((await execa('nbdcopy', ['--version'], { reject: false })).exitCode !== 0) {
    throw new Error('nbdcopy is missing: install libnbd-bin (scripts/test-setup.sh does)');
  }
}

function predict(argv: string[], cwd: string, profile = debian()) {
  return evaluateStack(planV2v(argv, { profile, facts: factsReader(cwd), env: ENV }), profile);
}

describe('the installed virt-v2v and nbdkit match the debian-12 profile', () => {
  it('virt-v2v --version and --machine-readable, nbdkit --dump-config and its plugin and filter dirs', async () => {
    const host = await inspectV2v();
    const p = debian();
    expect(host.virtV2v?.version).toBe(p.virtV2v?.version);
    expect(host.virtV2v?.inputs).toEqual(p.virtV2v?.inputs);
    expect(host.virtV2v?.outputs).toEqual(p.virtV2v?.outputs);
    expect(host.nbdkit?.version).toBe(p.nbdkit?.version);
    // The profile lists the nbdkit package's plugins; any other one here must come from an nbdkit-plugin-* package.
    expect(host.nbdkit?.plugins).toEqual(expect.arrayContaining(p.nbdkit?.plugins ?? []));
    for (const extra of (host.nbdkit?.plugins ?? []).filter((x) => !p.nbdkit?.plugins.includes(x))) {
      const owner = await execa('dpkg', ['-S', `/usr/lib/x86_64-linux-gnu/nbdkit/plugins/nbdkit-${extra}-plugin.so`], {
        reject: false,
      });
      expect(owner.stdout).toMatch(/^nbdkit-plugin-/);
    }
    expect(host.nbdkit?.filters).toEqual([...(p.nbdkit?.filters ?? [])].sort());
  });
});

describe('blockgate against real virt-v2v runs', () => {
  it('a refused command: -o null -of qcow2, stderr word for word', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'blockgate-v2v-'));
    writeFileSync(join(dir, 'tiny.img'), Buffer.alloc(1 << 20));
    const argv = ['virt-v2v', '-i', 'disk', 'tiny.img', '-o', 'null', '-of', 'qcow2'];
    const real = await execa(argv[0] ?? '', argv.slice(1), { cwd: dir, env: ENV, reject: false });
    const r = predict(argv, dir);
    expect(r.verdict).toBe('fails');
    expect(real.exitCode).toBe(1);
    expect(r.findings.map((f) => `${f.step}:${f.code}`)).toContain('virt-v2v:v2v-output-format-unsupported');
    expect(r.steps[0]?.step.messages?.join('\n')).toBe(real.stderr);
  }, 120_000);

  it('converts the test guest with -o local -of qcow2, as predicted', async () => {
    await conversionPrerequisites();
    const out = mkdtempSync(join(tmpdir(), 'blockgate-v2v-out-'));
    onTestFinished(() => rmSync(out, { recursive: true, force: true })); // the qcow2 is ~630 MiB
    const argv = ['virt-v2v', '-i', 'disk', GUEST, '-o', 'local', '-os', out, '-of', 'qcow2'];
    const r = predict(argv, dirname(GUEST));
    expect(r.verdict).toBe('opens');
    expect(r.steps.map((s) => s.step.id)).toContain('nbdkit file sda');
    const real = await execa(argv[0] ?? '', argv.slice(1), { env: ENV, reject: false, all: true });
    expect(real.all).toMatch(/Finishing off/);
    expect(real.exitCode).toBe(0);
    const disk = join(out, 'debian12-minimal-sda');
    const info = JSON.parse((await execa('qemu-img', ['info', '--output=json', disk])).stdout) as { format: string };
    expect(info.format).toBe('qcow2');
    expect(readFileSync(join(out, 'debian12-minimal.xml'), 'utf8')).toContain(`<source file='${disk}'/>`);
  }, 600_000);
});
