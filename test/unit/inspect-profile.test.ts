import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildProfile, type InspectObservations, type ModuleLookup } from '../../src/host/inspect-profile.js';
import { parseFormatHelp, parseImgHelp, parseVersion } from '../../src/host/inspect-parse.js';
import type { BinaryFacts } from '../../src/host/binary-facts.js';
import type { RecoveredWhitelist } from '../../src/host/elf-whitelist.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/inspect/${name}`, import.meta.url), 'utf8');

const MODULAR: BinaryFacts = {
  moduleLoader: true,
  moduleDir: '/usr/local/lib/x86_64-linux-gnu/qemu',
  bindir: '/usr/local/bin',
  moduleUpgrades: false,
  stamp: 'qemu_stamp_37567621114a1ba1260c816e61d9d64f3076945b',
  debianHint: 'qemu: module %s%s not found, do you want to install %s package?',
  supplemental: false,
  needed: ['libglib-2.0.so.0', 'libc.so.6'],
};
const NONE: RecoveredWhitelist = {
  rw: [],
  ro: [],
  method: 'none',
  detail: 'no .symtab, and .data holds no NULL-terminated array of driver names',
};
const INSTALLED: ModuleLookup[] = ['curl', 'ssh'].map((name) => ({
  name,
  found: { path: `/m/block-${name}.so`, role: 'QEMU_MODULE_DIR', stampMatches: true },
}));

/** Observations recorded from one oracle, with the ELF and module facts given by the test. */
function observed(oracle: string, over: Partial<InspectObservations> = {}): InspectObservations {
  const bin = `/o/${oracle}/bin`;
  return {
    systems: [
      {
        path: `${bin}/qemu-system-x86_64`,
        name: 'qemu-system-x86_64',
        version: parseVersion(fixture(`${oracle}.qemu-version.txt`))!,
        versionCommand: `${bin}/qemu-system-x86_64 --version`,
        formatHelp: parseFormatHelp(fixture(`${oracle}.format-help.txt`))!,
        formatHelpCommand: `${bin}/qemu-system-x86_64 -drive format=help`,
      },
    ],
    img: {
      path: `${bin}/qemu-img`,
      version: parseVersion(fixture(`${oracle}.img-version.txt`)),
      versionCommand: `${bin}/qemu-img --version`,
      help: parseImgHelp(fixture(`${oracle}.img-help.txt`))!,
      helpCommand: `${bin}/qemu-img --help`,
    },
    elfPath: `${bin}/qemu-system-x86_64`,
    facts: MODULAR,
    whitelist: NONE,
    searchDirs: [{ dir: '/m', role: 'QEMU_MODULE_DIR' }],
    modules: INSTALLED,
    ...over,
  };
}

describe('buildProfile: whitelist', () => {
  it('uses the ELF arrays and cites them, with names format=help cannot show', () => {
    const elf: RecoveredWhitelist = {
      rw: ['qcow2', 'raw', 'file', 'host_device', 'blkdebug', 'nbd', 'iscsi', 'gluster', 'rbd'],
      ro: ['vmdk', 'vhdx', 'vpc', 'ssh', 'https'],
      method: 'data-scan',
      detail: 'stripped: arrays',
    };
    const { whitelist } = buildProfile(observed('rhel7', { whitelist: elf })).qemu;
    expect(whitelist).toMatchObject({ rw: elf.rw, ro: elf.ro, tools: false });
    expect(whitelist.unconfirmed).toBeUndefined();
    expect(whitelist.source).toContain('`/o/rhel7/bin/qemu-system-x86_64` ELF: stripped: arrays');
  });

  it('says so when the ELF arrays disagree with format=help', () => {
    const elf: RecoveredWhitelist = { rw: ['qcow2', 'raw'], ro: ['vmdk'], method: 'data-scan', detail: 'x' };
    expect(buildProfile(observed('rhel7', { whitelist: elf })).qemu.whitelist.unconfirmed).toMatch(
      /file is on format=help line 1 but not in the rw array/,
    );
  });

  it('falls back to the format=help lines, saying that names not built are missing', () => {
    const { whitelist } = buildProfile(observed('rhel7')).qemu;
    expect(whitelist).toMatchObject({
      rw: ['blkdebug', 'file', 'host_device', 'nbd', 'qcow2', 'raw'],
      ro: ['https', 'ssh', 'vhdx', 'vmdk', 'vpc'],
      tools: false,
    });
    expect(whitelist.source).toContain('`/o/rhel7/bin/qemu-system-x86_64 -drive format=help` lines 1-2');
    expect(whitelist.unconfirmed).toMatch(/whitelisted drivers that are not built are missing/);
  });

  it('reads identical lines and an unfiltered qemu-img as no whitelist (stock Debian)', () => {
    const { whitelist } = buildProfile(observed('debian', { facts: { ...MODULAR, moduleUpgrades: true } })).qemu;
    expect(whitelist).toMatchObject({ rw: [], ro: [], tools: false });
    expect(whitelist.source).toMatch(/list the same 43 drivers/);
  });

  it('sees tools enforcement in a qemu-img list cut down to the rw line (rhel9-tools)', () => {
    const { whitelist } = buildProfile(observed('rhel9-tools')).qemu;
    expect(whitelist.tools).toBe(true);
    expect(whitelist.source).toContain(
      '`/o/rhel9-tools/bin/qemu-img --help` line 109 lists only read-write whitelisted drivers',
    );
    expect(buildProfile(observed('rhel9')).qemu.whitelist.tools).toBe(false);
  });
});

describe('buildProfile: builtin drivers and modules', () => {
  it('takes listed module-table drivers of a modular build out of builtin', () => {
    const { drivers, modules } = buildProfile(observed('rhel9')).qemu;
    expect(drivers.builtin).not.toContain('https');
    expect(drivers.builtin).toContain('vvfat');
    expect(modules.map((m) => [m.file, m.drivers, m.installed])).toEqual([
      ['block-curl.so', ['http', 'https', 'ftp', 'ftps'], true],
      ['block-ssh.so', ['ssh'], true],
    ]);
  });

  it('marks a listed module whose file is missing as not installed', () => {
    const { modules } = buildProfile(observed('rhel9', { modules: [INSTALLED[0]!, { name: 'ssh' }] })).qemu;
    expect(modules.find((m) => m.file === 'block-ssh.so')).toMatchObject({
      installed: false,
      source: expect.stringMatching(/^block-ssh.so is in none of \/m \(QEMU_MODULE_DIR\)/),
    });
  });

  it('marks a module file from another build as not installed', () => {
    const other: ModuleLookup = {
      name: 'curl',
      found: { path: '/m/block-curl.so', role: 'QEMU_MODULE_DIR', stampMatches: false },
    };
    const { modules } = buildProfile(observed('rhel9', { modules: [other, INSTALLED[1]!] })).qemu;
    expect(modules.find((m) => m.file === 'block-curl.so')).toMatchObject({
      installed: false,
      source: expect.stringContaining('Only modules from the same build'),
    });
  });

  it('keeps a module hidden by the whitelist when its file is from this build (rhel9-tools ssh)', () => {
    const { modules } = buildProfile(observed('rhel9-tools')).qemu;
    expect(modules.find((m) => m.file === 'block-ssh.so')).toMatchObject({
      installed: true,
      unconfirmed: expect.stringMatching(/whitelist hides them/),
    });
  });

  it('treats a driver whose library is in DT_NEEDED as compiled in (monolithic curl)', () => {
    const facts = { ...MODULAR, needed: [...MODULAR.needed, 'libcurl.so.4'] };
    const { drivers, modules } = buildProfile(observed('rhel9', { facts })).qemu;
    expect(drivers.builtin).toContain('https');
    expect(modules.map((m) => m.file)).toEqual(['block-ssh.so']);
  });

  it('has no modules at all without a module loader', () => {
    const { drivers, modules } = buildProfile(observed('debian', { facts: { ...MODULAR, moduleLoader: false } })).qemu;
    expect(modules).toEqual([]);
    expect(drivers.builtin).toContain('ssh');
    expect(drivers.source).toMatch(/monolithic/);
  });
});

describe('buildProfile: version and names', () => {
  it('names the profile host and cites --version', () => {
    const profile = buildProfile(observed('debian'));
    expect(profile).toMatchObject({
      name: 'host',
      qemu: {
        version: '7.2.22',
        package: 'Debian 1:7.2+dfsg-7+deb12u18+b3',
        hypervisors: ['qemu-system-x86_64'],
        debianModuleHint: true,
      },
    });
    expect(profile.description).toContain('/o/debian/bin/qemu-system-x86_64');
    expect(profile.qemu.source).toBe(
      '`/o/debian/bin/qemu-system-x86_64 --version` line 1: QEMU emulator version 7.2.22 (Debian ' +
        '1:7.2+dfsg-7+deb12u18+b3)',
    );
  });

  it("leaves out a qemu-system-* that lists other formats, another build (Debian's microvm)", () => {
    const base = observed('debian');
    const microvm = {
      ...base.systems[0]!,
      path: '/o/debian/bin/qemu-system-x86_64-microvm',
      name: 'qemu-system-x86_64-microvm',
      formatHelp: parseFormatHelp(fixture('rhel9.format-help.txt'))!,
      formatHelpCommand: 'microvm -drive format=help',
    };
    const same = { ...base.systems[0]!, path: '/o/debian/bin/qemu-system-i386', name: 'qemu-system-i386' };
    const { qemu } = buildProfile({ ...base, systems: [...base.systems, microvm, same] });
    expect(qemu.hypervisors).toEqual(['qemu-system-x86_64', 'qemu-system-i386']);
    expect(qemu.drivers.unconfirmed).toBe(
      '`microvm -drive format=help` list other formats: another build, not described here nor counted as a hypervisor',
    );
  });

  it("sets debianModuleHint only for Debian or the patch's string", () => {
    const { debianHint: _hint, ...facts } = MODULAR;
    expect(buildProfile(observed('rhel9', { facts })).qemu.debianModuleHint).toBe(false);
  });
});
