import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { parse } from 'yaml';
import type { Profile } from '../../src/model/profile.js';
import { PROBE_DRIVERS, probeBuild, type ProbeOptions, type ProbeReport } from '../../src/host/probe.js';
import { diffProbe } from '../../src/host/probe-diff.js';
import { runProbe } from '../../src/cli/probe.js';
import { InputError } from '../../src/errors.js';
import { oracle, type OracleName } from '../support/oracles.js';

// One paused QEMU per build answers ~100 blockdev-adds; measured at 0.2-0.3 s a build.
const BUDGET_MS = 10_000;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'blockgate-probe-test-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function timed(options: ProbeOptions): Promise<ProbeReport> {
  const start = performance.now();
  const report = await probeBuild(options);
  expect(performance.now() - start).toBeLessThan(BUDGET_MS);
  return report;
}

const reports = new Map<string, Promise<ProbeReport>>();
/** Each oracle probed once, with its own qemu-img and module dir; a missing oracle fails here. */
function probe(name: OracleName): Promise<ProbeReport> {
  let report = reports.get(name);
  if (report === undefined) {
    const o = oracle(name);
    report = timed({ qemu: o.qemu, qemuImg: o.qemuImg, env: o.env });
    reports.set(name, report);
  }
  return report;
}

const pair = async (name: OracleName, driver: string) => {
  const r = (await probe(name)).results[driver];
  return [r?.rw, r?.ro];
};

async function profile(path: string): Promise<Profile> {
  return parse(await readFile(path, 'utf8')) as Profile;
}

describe.each(['rhel9', 'rhel9-tools'] as const)(
  '%s (ro list vdi,vmdk,vhdx,vpc,https; ssh built but not listed)',
  (name) => {
    test('vmdk: read-write refused as read-only-only, read-only allowed', async () => {
      expect(await pair(name, 'vmdk')).toEqual(['read-only-only', 'allowed']);
    });
    test('qcow (v1) is not whitelisted either way', async () => {
      expect(await pair(name, 'qcow')).toEqual(['not-whitelisted', 'not-whitelisted']);
    });
    test('https: read-only-only; read-only gets as far as connecting', async () => {
      expect(await pair(name, 'https')).toEqual(['read-only-only', 'allowed']);
      expect((await probe(name)).results.https?.roDetail).toMatch(
        /^CURL: Error opening file: Failed to connect to 127\.0\.0\.1 port 1/,
      );
    });
    test('ssh: built as a module but listed nowhere', async () => {
      expect(await pair(name, 'ssh')).toEqual(['not-whitelisted', 'not-whitelisted']);
    });
    test('iscsi: listed (rw) but not built', async () => {
      expect(await pair(name, 'iscsi')).toEqual(['unavailable', 'unavailable']);
      expect((await probe(name)).results.iscsi?.rwDetail).toBe("Unknown driver 'iscsi'");
    });
    test('every driver agrees with the profile of the oracle', async () => {
      const expected = await profile(`test/fixtures/profiles/oracle-${name}.yaml`);
      const report = await probe(name);
      expect(report.version).toBe('7.2.22');
      expect(Object.keys(report.results)).toEqual(PROBE_DRIVERS);
      expect(diffProbe(report, expected)).toEqual([]);
    });
  },
);

describe('rhel7 (rw qcow2,raw,file,host_device,blkdebug,nbd,iscsi,gluster,rbd; ro vmdk,vhdx,vpc,ssh,https)', () => {
  test('ssh is read-only-only here, and the read-only open reaches the connection', async () => {
    expect(await pair('rhel7', 'ssh')).toEqual(['read-only-only', 'allowed']);
    expect((await probe('rhel7')).results.ssh?.roDetail).toBe("Failed to connect to '127.0.0.1:1': Connection refused");
  });
  test('filters are judged on their own even though null-co, their usual child, is not listed', async () => {
    expect(await pair('rhel7', 'null-co')).toEqual(['not-whitelisted', 'not-whitelisted']);
    expect(await pair('rhel7', 'blkdebug')).toEqual(['allowed', 'allowed']);
    expect(await pair('rhel7', 'throttle')).toEqual(['not-whitelisted', 'not-whitelisted']);
  });
  test('every driver agrees with the profile of the oracle', async () => {
    expect(diffProbe(await probe('rhel7'), await profile('test/fixtures/profiles/oracle-rhel7.yaml'))).toEqual([]);
  });
});

describe('stock Debian (no whitelist)', () => {
  test(
    'everything built (built in or in an installed module) is allowed both ways; only blkio is ' + 'missing',
    async () => {
      const debian = await profile('policies/debian-12.yaml');
      const built = [...debian.qemu.drivers.builtin, ...debian.qemu.modules.flatMap((m) => m.drivers), 'iser'];
      const report = await probe('debian');
      for (const driver of PROBE_DRIVERS) {
        const r = report.results[driver];
        const expected = built.includes(driver) ? 'allowed' : 'unavailable';
        expect([driver, r?.rw, r?.ro]).toEqual([driver, expected, expected]);
      }
      expect(
        Object.entries(report.results)
          .filter(([, r]) => r.rw === 'unavailable')
          .map(([d]) => d),
      ).toEqual(['io_uring', 'nvme-io_uring', 'virtio-blk-vfio-pci', 'virtio-blk-vhost-user', 'virtio-blk-vhost-vdpa']);
      expect(diffProbe(report, debian)).toEqual([]);
    },
  );

  test('iser, absent from QAPI BlockdevDriver, is reached through drive_add -n', async () => {
    expect((await probe('debian')).results.iser?.rwDetail).toMatch(/^iSCSI: Failed to connect to LUN/);
  });

  test('QEMU_MODULE_DIR without block-ssh.so does not hide ssh: the system module dir is searched too', async () => {
    const o = oracle('debian');
    const report = await timed({
      qemu: o.qemu,
      qemuImg: o.qemuImg,
      moduleDir: o.manifest.modulesWithoutSsh ?? '',
      drivers: ['ssh'],
    });
    expect(report.results.ssh?.rw).toBe('allowed');
  });

  test(
    'with block-ssh.so really missing (scripts/with-missing-module.sh), ssh is unavailable and ' + 'curl still loads',
    async () => {
      const o = oracle('debian');
      const wrapper = join(work, 'qemu-without-ssh');
      const script = resolve('scripts/with-missing-module.sh');
      await writeFile(wrapper, `#!/bin/sh\nexec '${script}' '${o.manifest.modulesWithoutSsh}' -- '${o.qemu}' "$@"\n`);
      await chmod(wrapper, 0o755);
      const report = await timed({ qemu: wrapper, qemuImg: o.qemuImg, drivers: ['ssh', 'https', 'qcow2'] });
      expect(report.results).toMatchObject({
        ssh: { rw: 'unavailable', ro: 'unavailable', rwDetail: "Unknown driver 'ssh'" },
        https: { rw: 'allowed', ro: 'allowed' },
        qcow2: { rw: 'allowed', ro: 'allowed', rwDetail: 'opened' },
      });
    },
  );
});

describe('runProbe', () => {
  async function stdout(run: () => Promise<void>): Promise<string> {
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      await run();
    } finally {
      spy.mockRestore();
    }
    return out;
  }

  afterAll(() => {
    process.exitCode = undefined;
  });

  test('--json maps each driver to exactly {rw, ro}', async () => {
    const o = oracle('rhel9');
    const json = JSON.parse(
      await stdout(() => runProbe({ qemu: o.qemu, moduleDir: o.moduleDir ?? '', json: true })),
    ) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(PROBE_DRIVERS);
    expect(json.vmdk).toEqual({ rw: 'read-only-only', ro: 'allowed' });
    expect(json.ssh).toEqual({ rw: 'not-whitelisted', ro: 'not-whitelisted' });
  });

  test('text: the table, then each disagreement with the profile; exit status 1', async () => {
    const o = oracle('rhel9');
    const rhel7 = await profile('test/fixtures/profiles/oracle-rhel7.yaml');
    const text = await stdout(() => runProbe({ qemu: o.qemu, moduleDir: o.moduleDir ?? '', profile: rhel7 }));
    expect(text).toContain('vmdk                   read-only-only   allowed\n');
    expect(text).toContain('Disagreements with profile oracle-rhel7 (');
    expect(text).toContain(
      "  ssh rw: probed not-whitelisted, profile says read-only-only (Driver 'ssh' is not whitelisted)\n",
    );
    expect(process.exitCode).toBe(1);
  });

  test('no qemu, or one that does not run: one-line InputError', async () => {
    await expect(runProbe({})).rejects.toThrow(InputError);
    await expect(runProbe({ qemu: join(work, 'no-such-qemu') })).rejects.toThrow(InputError);
  });
});
