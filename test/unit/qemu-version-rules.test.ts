/**
 * Each version rule of the QEMU leaf (src/qemu) pinned at its boundaries, on both sides. The boundaries come from
 * QEMU's history: the CVE-2024-4467 series is in 9.1.0 and the stable 7.2.13, 8.2.6 and 9.0.2 releases only
 * ("[Stable-9.0.2 18/22] qcow2: Don't open data_file with BDRV_O_NO_IO" on qemu-devel); vxhs and sheepdog left the
 * BlockdevDriver enum in 5.1 and 6.0 (docs/about/removed-features.rst).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasCve20244467Fix, qemuFeatures } from '../../src/qemu/features.js';
import { blockdevDriverAccepted } from '../../src/qemu/qapi.js';
import { qapiDriverError } from '../../src/plan/qapi.js';

describe('CVE-2024-4467 fix: literal child names and qemu-img info without the data file', () => {
  const cases: Array<[string, boolean]> = [
    ['7.2.12', false],
    ['7.2.13', true],
    ['7.2.22', true],
    ['8.0.0', false],
    ['8.0.5', false],
    ['8.1.5', false],
    ['8.2.0', false],
    ['8.2.5', false],
    ['8.2.6', true],
    ['9.0.0', false],
    ['9.0.1', false],
    ['9.0.2', true],
    ['9.1.0', true],
    ['10.0.0', true],
    ['11.1.0', true],
  ];
  it.each(cases)('QEMU %s: fixed=%s, and both features follow it', (version, fixed) => {
    expect(hasCve20244467Fix(version)).toBe(fixed);
    const features = qemuFeatures({ version });
    expect(features.literalChildNames).toBe(fixed);
    expect(features.noIoSkipsDataFile).toBe(fixed);
  });

  it('a profile override (a downstream backport) wins over the version', () => {
    expect(qemuFeatures({ version: '8.0.0', features: { noIoSkipsDataFile: true } }).noIoSkipsDataFile).toBe(true);
  });
});

describe('BlockdevDriver removals', () => {
  it.each([
    ['vxhs', '5.0.0', true],
    ['vxhs', '5.1.0', false],
    ['vxhs', '2.9.0', false],
    ['sheepdog', '5.2.0', true],
    ['sheepdog', '6.0.0', false],
  ] as const)('%s on QEMU %s accepted=%s', (driver, version, accepted) => {
    expect(blockdevDriverAccepted(driver, version)).toBe(accepted);
    expect(qapiDriverError({ driver }, version)).toBe(
      accepted ? undefined : `Parameter 'driver' does not accept value '${driver}'`,
    );
  });
});

describe('src/qemu is a leaf', () => {
  it('imports nothing of the project outside its own folder, and no Node module', () => {
    const dir = join(__dirname, '../../src/qemu');
    for (const file of readdirSync(dir)) {
      const imports = [...readFileSync(join(dir, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      expect(
        imports.filter((i) => !i?.startsWith('./')),
        file,
      ).toEqual([]);
    }
  });
});

describe('a downstream backport recorded in a profile file', () => {
  it('validates against the schema and turns the rule on for its older version', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { loadProfile } = await import('../../src/host/profiles.js');
    const file = join(mkdtempSync(join(tmpdir(), 'bg-features-')), 'backport.yaml');
    writeFileSync(
      file,
      [
        'name: rhel-9-backport',
        'description: rhel-9 with the CVE-2024-4467 fix backported',
        'extends: rhel-9',
        'qemu:',
        '  version: 8.0.0',
        '  features: {literalChildNames: true, noIoSkipsDataFile: true, source: "a z-stream errata"}',
      ].join('\n'),
    );
    const profile = await loadProfile(file);
    expect(qemuFeatures({ version: '8.0.0' }).noIoSkipsDataFile).toBe(false);
    expect(qemuFeatures(profile.qemu)).toMatchObject({ literalChildNames: true, noIoSkipsDataFile: true });
  });
});
