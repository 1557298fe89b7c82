import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { bundledProfiles } from '../../src/host/profiles.js';
import { diffProfiles } from '../../src/engine/profile-diff.js';
import { diffJunit } from '../../src/report/junit.js';
import type { Profile } from '../../src/model/profile.js';

const require = createRequire(import.meta.url);
/** A real JUnit consumer (testbeats' parser), not our own reading of our own XML. */
const { parse } = require('test-results-parser') as {
  parse: (o: { type: string; files: string[] }) => {
    total: number;
    passed: number;
    failed: number;
    suites: { cases: { name: string; status: string; failure: string }[] }[];
  };
};

const p = (name: string) => bundledProfiles()[name] as Profile;

describe('diff of two profiles', () => {
  const diffs = diffProfiles(p('rhel-8'), p('rhel-9'));
  it('rhel-8 -> rhel-9: ssh left the ro list, vdi joined it', () => {
    expect(diffs.filter((d) => d.area === 'ro-whitelist')).toEqual([
      { area: 'ro-whitelist', subject: 'ssh', change: 'lost' },
      { area: 'ro-whitelist', subject: 'vdi', change: 'gained' },
    ]);
  });
  it('reports module files and the version', () => {
    expect(diffs).toContainEqual({ area: 'module', subject: 'block-blkio.so', change: 'gained' });
    expect(diffs).toContainEqual({ area: 'version', change: 'changed', from: '6.2.0', to: '8.0.0' });
  });
  it('a profile has no differences with itself', () => expect(diffProfiles(p('rhel-9'), p('rhel-9'))).toEqual([]));
  it('tools enforcement and module installation are compared', () => {
    const base = p('rhel-9');
    const other: Profile = {
      ...base,
      qemu: {
        ...base.qemu,
        whitelist: { ...base.qemu.whitelist, tools: true },
        modules: base.qemu.modules.map((m) => ({ ...m, installed: m.file !== 'block-curl.so' })),
      },
    };
    expect(diffProfiles(base, other).map((d) => `${d.area}:${d.subject ?? ''}:${d.to}`)).toEqual([
      'tools-enforce::true',
      'module-installed:block-curl.so:false',
    ]);
  });
});

describe('JUnit output is read by a real JUnit consumer', () => {
  it('one failed case per drifted area, passed cases for the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'blockgate-junit-'));
    const file = join(dir, 'report.xml');
    writeFileSync(file, diffJunit('blockgate gate', 'rhel-8', diffProfiles(p('rhel-8'), p('rhel-9'))));
    const report = parse({ type: 'junit', files: [file] });
    expect(report.total).toBe(7);
    expect(report.failed).toBe(5);
    const ro = report.suites[0]?.cases.find((c) => c.name === 'read-only whitelist matches rhel-8');
    expect(ro?.status).toBe('FAIL');
  });
});
