import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { oracle, type OracleName } from '../support/oracles.js';
import { inspectBinaries } from '../../src/host/inspect.js';
import { probeBuild } from '../../src/host/probe.js';
import { diffProbe } from '../../src/host/probe-diff.js';

const require = createRequire(import.meta.url);
const { parse } = require('test-results-parser') as {
  parse: (o: { type: string; files: string[] }) => { total: number; failed: number };
};
const BIN = resolve('bin/blockgate');
const BUILDS: OracleName[] = ['rhel9', 'rhel7', 'rhel9-tools', 'debian'];

describe('inspect agrees with probe on every build', () => {
  for (const name of BUILDS) {
    it(name, async () => {
      const o = oracle(name);
      const build = {
        qemu: [o.qemu],
        qemuImg: o.qemuImg,
        ...(o.moduleDir ? { moduleDir: o.moduleDir } : {}),
        env: o.env,
      };
      const { profile } = await inspectBinaries(build);
      const report = await probeBuild({ qemu: o.qemu, ...(o.moduleDir ? { moduleDir: o.moduleDir } : {}), env: o.env });
      // Where inspect is blind, the probe decides: a built driver that no list shows (blkreplay is system-only and
      // hidden by the whitelist; with the whitelist in the tools too, every refused driver is hidden) is refused
      // by the probe, never allowed, and inspect says in `unconfirmed` that it cannot see them.
      const disagreements = diffProbe(report, profile);
      for (const d of disagreements)
        expect(`${d.driver} ${d.expected} -> ${d.probed}`).toBe(`${d.driver} unavailable -> not-whitelisted`);
      const hidden = new Set(disagreements.map((d) => d.driver));
      if (o.manifest.toolsEnforce)
        expect(profile.qemu.drivers.unconfirmed).toMatch(/no listing shows a built driver that is not whitelisted/);
      else expect([...hidden].filter((d) => d !== 'blkreplay')).toEqual([]);
      expect(profile.qemu.whitelist.rw).toEqual(o.manifest.rwWhitelist);
      expect(profile.qemu.whitelist.ro).toEqual(o.manifest.roWhitelist);
      expect(profile.qemu.whitelist.tools).toBe(o.manifest.toolsEnforce);
    });
  }
});

describe('blockgate gate', () => {
  const gate = (name: OracleName, expected: string, format = 'text') => {
    const o = oracle(name);
    return spawnSync(
      BIN,
      [
        'gate',
        '--expect',
        expected,
        '--qemu',
        o.qemu,
        '--qemu-img',
        o.qemuImg,
        ...(o.moduleDir ? ['--module-dir', o.moduleDir] : []),
        '--probe',
        '--format',
        format,
      ],
      { encoding: 'utf8', env: { ...o.env, NO_COLOR: '1' } },
    );
  };
  it('passes a build that matches its expected profile', () => {
    const r = gate('rhel9', 'test/fixtures/profiles/oracle-rhel9.yaml');
    expect(r.stdout).toMatch(/no differences/);
    expect(r.status).toBe(0);
  });
  it('fails on drift and lists each difference (the RHEL-7-like build against the RHEL-9-like expectation)', () => {
    const r = gate('rhel7', 'test/fixtures/profiles/oracle-rhel9.yaml');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/read-only whitelist: - vdi {2}\+ ssh/);
    expect(r.stdout).toMatch(/probed behaviour: .*vdi \(rw\) read-only-only -> not-whitelisted/);
  });
  it('catches tools enforcement drift', () => {
    const r = gate('rhel9-tools', 'test/fixtures/profiles/oracle-rhel9.yaml');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/whitelist enforced by the tools: false -> true/);
  });
  it('JUnit output is read by a real JUnit consumer', () => {
    const r = gate('rhel7', 'test/fixtures/profiles/oracle-rhel9.yaml', 'junit');
    const file = join(mkdtempSync(join(tmpdir(), 'blockgate-gate-')), 'gate.xml');
    writeFileSync(file, r.stdout);
    const report = parse({ type: 'junit', files: [file] });
    expect(report.total).toBe(7);
    expect(report.failed).toBeGreaterThanOrEqual(3);
  });
});
