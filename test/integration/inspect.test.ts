/**
 * `blockgate inspect` on the real builds: the recovered whitelists must be the configured ones
 * (build.json), the modules what is on disk, and the profile must load and drive `check`.
 * A missing oracle fails the test (test/support/oracles.ts), it never skips.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { execa } from 'execa';
import { inspectBinaries, type InspectOptions } from '../../src/host/inspect.js';
import { recoverWhitelist } from '../../src/host/elf-whitelist.js';
import { ALL_DRIVERS } from '../../src/host/block-modules.js';
import { bundledProfiles, loadProfile } from '../../src/host/profiles.js';
import { runInspect } from '../../src/cli/inspect.js';
import { InputError } from '../../src/errors.js';
import type { Profile } from '../../src/model/profile.js';
import { oracle, type Oracle, type OracleName } from '../support/oracles.js';

const BIN = resolve('bin/blockgate');
const work = mkdtempSync(join(tmpdir(), 'blockgate-inspect-'));
// The stripped copies are ~70 MB.
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Case {
  name: string;
  oracle: OracleName;
  options: (o: Oracle) => InspectOptions;
  /** The hand-written profile of the same build, to compare with. */
  reference: () => Profile;
  modules: Record<string, boolean>;
  /** What `check` says about a vmdk opened with -drive. */
  vmdk: 'opens' | 'opens-read-only';
}

const fixtureProfile = (name: string) => (): Profile =>
  parse(readFileSync(`test/fixtures/profiles/${name}.yaml`, 'utf8')) as Profile;
const debian12 = (): Profile => bundledProfiles()['debian-12'] as Profile;
const asOracle = (o: Oracle): InspectOptions => ({
  qemu: [o.qemu],
  qemuImg: o.qemuImg,
  moduleDir: o.moduleDir,
  env: o.env,
});
const DEBIAN_MODULES = {
  'block-curl.so': true,
  'block-gluster.so': true,
  'block-iscsi.so': true,
  'block-nfs.so': true,
  'block-ssh.so': true,
  'block-rbd.so': true,
};

const CASES: Case[] = [
  {
    name: 'rhel9',
    oracle: 'rhel9',
    options: asOracle,
    reference: fixtureProfile('oracle-rhel9'),
    modules: { 'block-curl.so': true, 'block-ssh.so': true },
    vmdk: 'opens-read-only',
  },
  {
    name: 'rhel7',
    oracle: 'rhel7',
    options: asOracle,
    reference: fixtureProfile('oracle-rhel7'),
    modules: { 'block-curl.so': true, 'block-ssh.so': true },
    vmdk: 'opens-read-only',
  },
  {
    name: 'rhel9-tools',
    oracle: 'rhel9-tools',
    options: asOracle,
    reference: fixtureProfile('oracle-rhel9-tools'),
    modules: { 'block-curl.so': true, 'block-ssh.so': true },
    vmdk: 'opens-read-only',
  },
  { name: 'debian', oracle: 'debian', options: asOracle, reference: debian12, modules: DEBIAN_MODULES, vmdk: 'opens' },
  {
    name: 'debian without block-ssh.so',
    oracle: 'debian',
    // As if the system module dir held only these files (scripts/with-missing-module.sh); no QEMU_MODULE_DIR.
    options: (o) => {
      const { QEMU_MODULE_DIR: _dir, ...env } = o.env;
      const moduleDir = o.manifest.modulesWithoutSsh;
      if (moduleDir === undefined)
        throw new Error('debian build.json has no modulesWithoutSsh: run scripts/test-setup.sh');
      return { qemu: [o.qemu], qemuImg: o.qemuImg, moduleDir, env };
    },
    reference: debian12,
    modules: { ...DEBIAN_MODULES, 'block-ssh.so': false },
    vmdk: 'opens',
  },
];

function check(
  profile: string,
  args: string[],
): { status: number | null; json: { verdict: string; findings: { code: string }[] } } {
  const r = spawnSync(BIN, ['check', '--profile', profile, '--json', '-C', work, '--', 'qemu-system-x86_64', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (r.stdout === '') throw new Error(`blockgate check printed nothing (status ${r.status}): ${r.stderr}`);
  return { status: r.status, json: JSON.parse(r.stdout) };
}

function writeProfile(name: string, profile: Profile): string {
  const file = join(work, `${name.replace(/\W+/g, '-')}.yaml`);
  writeFileSync(file, stringify(profile, { lineWidth: 0 }));
  return file;
}

describe.each(CASES)('inspect $name', (c) => {
  it('recovers the configured whitelists and tools flag, finds the modules, and gives a profile check accepts', async () => {
    const o = oracle(c.oracle);
    const { profile, binaries } = await inspectBinaries(c.options(o));
    const { whitelist } = profile.qemu;
    expect({ rw: whitelist.rw, ro: whitelist.ro, tools: whitelist.tools }).toEqual({
      rw: o.manifest.rwWhitelist,
      ro: o.manifest.roWhitelist,
      tools: o.manifest.toolsEnforce,
    });
    expect(whitelist.source).toMatch(
      c.oracle === 'debian' ? /no whitelist/ : /ELF: \.symtab whitelist_rw\.\d+ at 0x[0-9a-f]+ and whitelist_ro/,
    );
    expect(whitelist.unconfirmed).toBeUndefined();
    expect(Object.fromEntries(profile.qemu.modules.map((m) => [m.file, m.installed]))).toEqual(c.modules);
    expect(profile.qemu.version).toBe('7.2.22');
    expect(profile.qemu.hypervisors).toEqual(['qemu-system-x86_64']);
    expect(profile.qemu.debianModuleHint).toBe(true);
    expect(binaries.map((b) => [b.path, b.version])).toEqual([
      [o.qemu, '7.2.22'],
      [o.qemuImg, '7.2.22'],
    ]);
    expect(binaries[0]?.size).toBeGreaterThan(1_000_000);

    // Builtin drivers against the hand-written profile of the same build: the whitelisted builds hide
    // blkreplay (system-only, not whitelisted); rhel9-tools hides every driver outside the whitelist.
    const reference = c.reference().qemu.drivers.builtin;
    if (c.oracle === 'debian') expect(profile.qemu.drivers.builtin).toEqual(reference);
    else if (o.manifest.toolsEnforce) expect(reference).toEqual(expect.arrayContaining(profile.qemu.drivers.builtin));
    else expect(profile.qemu.drivers.builtin).toEqual(reference.filter((d) => d !== 'blkreplay'));

    const file = writeProfile(c.name, profile);
    expect(await loadProfile(file)).toEqual(profile);
    const vmdk = join(work, 'x.vmdk');
    if (!existsSync(vmdk)) await execa(o.qemuImg, ['create', '-q', '-f', 'vmdk', vmdk, '1M'], { env: o.env });
    const args = ['-drive', 'file=x.vmdk,format=vmdk,if=none'];
    const inspected = check(file, args);
    expect(inspected.json.verdict).toBe(c.vmdk);
    const expected = check(writeProfile(`${c.name}-reference`, { ...c.reference(), name: 'reference' }), args);
    expect(inspected.json.findings.map((f) => f.code)).toEqual(expected.json.findings.map((f) => f.code));
  });
});

describe('inspect: modules as check sees them', () => {
  it('predicts the missing block-ssh.so, and only when it is missing', async () => {
    const debian = CASES.find((c) => c.name === 'debian')!;
    const without = CASES.find((c) => c.name === 'debian without block-ssh.so')!;
    const o = oracle('debian');
    const args = ['-drive', 'file=ssh://127.0.0.1/x,if=none'];
    const missing = check(writeProfile('no-ssh', (await inspectBinaries(without.options(o))).profile), args);
    expect(missing.json.findings.map((f) => f.code)).toContain('module-not-installed');
    expect(missing.status).toBe(1);
    const present = check(writeProfile('with-ssh', (await inspectBinaries(debian.options(o))).profile), args);
    expect(present.json.findings.map((f) => f.code)).not.toContain('module-not-installed');
  });
});

describe('inspect: the configured module dir', () => {
  it('relocates CONFIG_QEMU_MODDIR next to the binary as QEMU does, and QEMU agrees the modules are missing there', async () => {
    const o = oracle('rhel9');
    const { QEMU_MODULE_DIR: _dir, ...env } = o.env;
    // Built with prefix /usr/local, run from the oracle's bin/: QEMU looks in <oracle>/lib/x86_64-linux-gnu/qemu.
    const expectedDir = (o.manifest as { defaultModuleDir?: string }).defaultModuleDir;
    expect(expectedDir, 'rhel9 build.json has defaultModuleDir').toBeDefined();
    const { profile } = await inspectBinaries({ qemu: [o.qemu], qemuImg: o.qemuImg, env });
    const curl = profile.qemu.modules.find((m) => m.file === 'block-curl.so');
    expect(curl).toMatchObject({ installed: false });
    expect(curl?.source).toContain(
      `block-curl.so is in none of ${expectedDir} (configured module dir: CONFIG_QEMU_MODDIR /usr/local/lib/x86_64-linux-gnu/qemu read from the binary, relocated next to the binary`,
    );
    const real = await execa(
      o.qemu,
      [
        '-nodefaults',
        '-machine',
        'none',
        '-display',
        'none',
        '-drive',
        'file=https://127.0.0.1:1/x,if=none,readonly=on',
      ],
      { env, extendEnv: false, reject: false, timeout: 20_000 },
    );
    expect(real.stderr).toContain("Unknown protocol 'https'");
  });

  it('counts a module from another build as not installed, as QEMU refuses it', async () => {
    const o = oracle('rhel9');
    const env = { ...o.env, QEMU_MODULE_DIR: oracle('debian').moduleDir };
    const { profile } = await inspectBinaries({ qemu: [o.qemu], qemuImg: o.qemuImg, env });
    expect(profile.qemu.modules.find((m) => m.file === 'block-curl.so')).toMatchObject({
      installed: false,
      source: expect.stringContaining('lacks qemu_stamp_'),
    });
    const real = await execa(
      o.qemu,
      [
        '-nodefaults',
        '-machine',
        'none',
        '-display',
        'none',
        '-drive',
        'file=https://127.0.0.1:1/x,if=none,readonly=on',
      ],
      { env, extendEnv: false, reject: false, timeout: 20_000 },
    );
    expect(real.stderr).toContain('Only modules from the same build can be loaded.');
  });
});

describe('inspect: stripped binaries', () => {
  it("recovers rhel7's whitelist, with the not-built iscsi, gluster and rbd, from a stripped copy", async () => {
    const o = oracle('rhel7');
    const dir = join(work, 'stripped', 'bin');
    mkdirSync(dir, { recursive: true });
    for (const p of [o.qemu, o.qemuImg]) copyFileSync(p, join(dir, p.split('/').pop() as string));
    const strip = await execa('strip', [join(dir, 'qemu-system-x86_64'), join(dir, 'qemu-img')], { reject: false });
    expect(strip.exitCode, `strip failed: ${strip.stderr}`).toBe(0);

    const { profile } = await inspectBinaries({ qemu: [join(dir, 'qemu-system-x86_64')], env: o.env });
    expect(profile.qemu.whitelist).toMatchObject({
      rw: o.manifest.rwWhitelist,
      ro: o.manifest.roWhitelist,
      tools: false,
    });
    expect(profile.qemu.whitelist.rw).toEqual(expect.arrayContaining(['iscsi', 'gluster', 'rbd']));
    expect(profile.qemu.whitelist.source).toMatch(
      /ELF: stripped: NULL-terminated driver-name arrays in \.data \(rw at 0x[0-9a-f]+, ro at 0x[0-9a-f]+\)/,
    );
    // qemu-img was found next to the binary; the modules through QEMU_MODULE_DIR.
    expect(profile.qemu.whitelist.source).toContain(`${dir}/qemu-img --help`);
    expect(profile.qemu.modules.map((m) => m.installed)).toEqual([true, true]);
  });

  it('recoverWhitelist: symtab on the rhel7 build, data-scan on the stripped qemu-img, none on stock Debian', () => {
    const o = oracle('rhel7');
    const rhel7 = recoverWhitelist(readFileSync(o.qemu), { drivers: ALL_DRIVERS });
    expect(rhel7).toMatchObject({ rw: o.manifest.rwWhitelist, ro: o.manifest.roWhitelist, method: 'symtab' });
    const help = {
      readWrite: ['blkdebug', 'file', 'host_device', 'nbd', 'qcow2', 'raw'],
      readOnly: ['blkdebug', 'file', 'host_device', 'https', 'nbd', 'qcow2', 'raw', 'ssh', 'vhdx', 'vmdk', 'vpc'],
    };
    const strippedImg = join(work, 'stripped', 'bin', 'qemu-img');
    expect(existsSync(strippedImg), 'the previous test strips a copy of qemu-img').toBe(true);
    expect(recoverWhitelist(readFileSync(strippedImg), { drivers: ALL_DRIVERS, formatHelp: help })).toMatchObject({
      rw: o.manifest.rwWhitelist,
      ro: o.manifest.roWhitelist,
      method: 'data-scan',
    });
    const debian = oracle('debian');
    const all = ['file', 'qcow2', 'raw', 'vmdk'];
    expect(
      recoverWhitelist(readFileSync(debian.qemu), {
        drivers: ALL_DRIVERS,
        formatHelp: { readWrite: all, readOnly: all },
      }),
    ).toMatchObject({ rw: [], ro: [], method: 'none' });
  });
});

describe('runInspect', () => {
  afterEach(() => vi.restoreAllMocks());

  async function output(options: Parameters<typeof runInspect>[0]): Promise<string> {
    let text = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      text += String(chunk);
      return true;
    });
    await runInspect(options);
    vi.restoreAllMocks();
    return text;
  }

  it('prints the profile as YAML with the binaries in a comment, or as JSON', async () => {
    const o = oracle('debian');
    const yaml = await output({ qemu: [o.qemu], qemuImg: o.qemuImg });
    expect(yaml).toMatch(
      /^# Written by `blockgate inspect` from:\n# {3}\/usr\/bin\/qemu-system-x86_64 \(QEMU 7\.2\.22, \d+ bytes, modified /,
    );
    const fromYaml = parse(yaml) as Profile;
    expect(fromYaml).toMatchObject({
      name: 'host',
      qemu: { version: '7.2.22', whitelist: { rw: [], ro: [], tools: false } },
    });
    const json = JSON.parse(await output({ qemu: [o.qemu], qemuImg: o.qemuImg, json: true })) as Profile;
    expect(json).toEqual(fromYaml);
  });

  it('throws a one-line InputError pointing at --profile for a missing binary', async () => {
    const error = await runInspect({ qemu: ['/nonexistent/qemu-system-x86_64'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(
      /^QEMU binary not found: \/nonexistent\/qemu-system-x86_64; .*`blockgate check --profile NAME`/,
    );
    expect((error as Error).message).not.toContain('\n');
  });

  it('throws an InputError when the machine has no QEMU at all', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'blockgate-nopath-'));
    const attempt = inspectBinaries({ env: { PATH: empty } }).finally(() =>
      rmSync(empty, { recursive: true, force: true }),
    );
    // /usr/libexec/qemu-kvm is looked for by its absolute path; on a RHEL-family host it would be found.
    if (existsSync('/usr/libexec/qemu-kvm')) await expect(attempt).resolves.toBeDefined();
    else await expect(attempt).rejects.toThrow(/^no QEMU found: .*--profile NAME/);
  });

  it("finds this host's qemu-system-* and qemu-img on PATH by itself", async () => {
    const { profile, binaries } = await inspectBinaries();
    expect(profile.qemu.hypervisors).toContain('qemu-system-x86_64');
    expect(binaries.some((b) => b.path.endsWith('/qemu-img'))).toBe(true);
    // Debian's qemu-system-x86 package also ships qemu-system-x86_64-microvm, a build without modules.
    if (existsSync('/usr/bin/qemu-system-x86_64-microvm')) {
      expect(profile.qemu.hypervisors).not.toContain('qemu-system-x86_64-microvm');
      expect(profile.qemu.drivers.unconfirmed).toMatch(
        /qemu-system-x86_64-microvm .* list other formats: another build/,
      );
    }
  });
});

describe('inspect: the layers above QEMU on this host', () => {
  it("reads libvirt, libguestfs (protocols tried one by one), virt-v2v and nbdkit from Debian's packages, as debian-12 bundles them", async () => {
    const { profile } = await inspectBinaries();
    const bundled = debian12();
    expect(profile.libvirt?.version).toBe(bundled.libvirt?.version);
    expect(profile.libguestfs).toMatchObject({
      version: bundled.libguestfs?.version,
      defaultBackend: bundled.libguestfs?.defaultBackend,
    });
    expect([...(profile.libguestfs?.protocols ?? [])].sort()).toEqual(
      [...(bundled.libguestfs?.protocols ?? [])].sort(),
    );
    expect(profile.virtV2v?.version).toBe(bundled.virtV2v?.version);
    expect(profile.virtV2v?.inputs).toEqual(bundled.virtV2v?.inputs);
    // scripts/test-setup.sh installs libnbd-bin, which Debian's virt-v2v does not depend on.
    expect(profile.virtV2v?.nbdcopy).toBe('installed');
    expect(profile.nbdkit?.version).toBe(bundled.nbdkit?.version);
    expect(profile.nbdkit?.plugins).toEqual(expect.arrayContaining(['curl', 'file', 'nbd', 'ssh']));
  });

  it('leaves them out of a profile of binaries named on the command line (a build, not this host)', async () => {
    const o = oracle('rhel9');
    const { profile } = await inspectBinaries({
      qemu: [o.qemu],
      qemuImg: o.qemuImg,
      moduleDir: o.moduleDir,
      env: o.env,
    });
    expect(profile.libguestfs).toBeUndefined();
    expect(profile.virtV2v).toBeUndefined();
  });
});
