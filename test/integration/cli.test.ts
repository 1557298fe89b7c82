import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve('bin/blockgate');

function run(args: string[], cwd = process.cwd()) {
  const r = spawnSync(BIN, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('blockgate check', () => {
  it('judges a command with the environment its NAME=VALUE prefix or env(1) gives it (RHEL 7 Xen over ssh needs the direct backend)', () => {
    const xen = ['virt-v2v', '-ic', 'xen+ssh://root@xen.example.com', 'guest2', '-o', 'local', '-os', '/var/tmp'];
    const { LIBGUESTFS_BACKEND: _, ...env } = process.env;
    const plain = spawnSync(BIN, ['check', '--profile', 'rhel-7', '--json', '--', ...xen], { encoding: 'utf8', env });
    expect(plain.status).toBe(1);
    expect(JSON.parse(plain.stdout).findings.map((f: { code: string }) => f.code)).toContain(
      'v2v-direct-backend-required',
    );
    for (const prefix of [['LIBGUESTFS_BACKEND=direct'], ['env', 'LIBGUESTFS_BACKEND=direct']]) {
      const r = run(['check', '--profile', 'rhel-7', '--json', '--', ...prefix, ...xen]);
      expect(r.status, prefix.join(' ')).toBe(0);
      expect(JSON.parse(r.stdout).findings.map((f: { code: string }) => f.code)).not.toContain(
        'v2v-direct-backend-required',
      );
    }
  });

  it('prints the seed case word for word on rhel-7 and exits 1', () => {
    const r = run(['check', '--profile', 'rhel-7', '-C', 'examples', '--', 'qemu-kvm', '-drive', 'file=test.vpc']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      "  qemu-kvm: -drive file=test.vpc: could not open disk image test.vpc: Driver 'vpc' can only be used for read-only devices\n",
    );
    expect(r.stdout).toContain('FAILS  -drive file=test.vpc');
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('--json gives the versioned object, and exit 0 for a silent read-only fallback', () => {
    const r = run([
      'check',
      '--profile',
      'rhel-9',
      '--json',
      '-C',
      'examples',
      '--',
      'qemu-kvm',
      '-drive',
      'file=test.vpc,if=virtio',
    ]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.blockgate).toBe(1);
    expect(out.verdict).toBe('opens-read-only');
    expect(out.messages).toEqual([]);
    expect(out.nodes.map((n: { driver: string; access: string }) => `${n.driver}:${n.access}`)).toEqual([
      'file:rw',
      'vpc:ro',
    ]);
    expect(out.findings.map((f: { code: string }) => f.code)).toContain('auto-read-only-fallback');
    for (const f of out.findings) expect(statSync(f.docs).isFile()).toBe(true);
  });

  it('exit 0 and no messages when everything opens', () => {
    const r = run([
      'check',
      '--profile',
      'debian-12',
      '--json',
      '-C',
      'examples',
      '--',
      'qemu-system-x86_64',
      '-drive',
      'file=test.vpc,format=vpc,if=none',
    ]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'opens', messages: [] });
  });

  it('accepts a profile file, and a file that extends a bundled profile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'blockgate-cli-'));
    const file = join(dir, 'mine.yaml');
    writeFileSync(
      file,
      [
        'name: mine',
        'description: RHEL 9 with vpc read-write',
        'extends: rhel-9',
        'qemu:',
        '  whitelist:',
        '    rw: [qcow2, raw, file, vpc]',
        '    ro: []',
        '    tools: false',
        '    source: "a test of extends: written by hand"',
        '',
      ].join('\n'),
    );
    const r = run([
      'check',
      '--profile',
      file,
      '--json',
      '-C',
      'examples',
      '--',
      'qemu-kvm',
      '-drive',
      'file=test.vpc,if=virtio',
    ]);
    expect(JSON.parse(r.stdout).verdict).toBe('opens');
  });
});

describe('bad input: one line on stderr, exit 2, no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'blockgate-bad-'));
  writeFileSync(join(dir, 'bad.yaml'), 'name: bad\ndescription: x\nqemu: {version: 7}\n');
  writeFileSync(join(dir, 'broken.yaml'), 'name: [\n');
  const cases: [string, string[], RegExp][] = [
    ['unknown profile', ['check', '-p', 'nope', '--', 'qemu-kvm', '-hda', 'x'], /^blockgate: unknown profile 'nope'/],
    [
      'malformed profile',
      ['check', '-p', join(dir, 'bad.yaml'), '--', 'qemu-kvm', '-hda', 'x'],
      /bad\.yaml: \/qemu: must have required property 'package'$/,
    ],
    ['unparseable profile', ['check', '-p', join(dir, 'broken.yaml'), '--', 'qemu-kvm', '-hda', 'x'], /broken\.yaml: /],
    ['unknown command', ['check', '-p', 'rhel-9', '--', 'bash', '-c', 'x'], /^blockgate: unknown command 'bash'/],
    [
      'option without argument',
      ['check', '-p', 'rhel-9', '--', 'qemu-kvm', '-drive'],
      /^blockgate: option -drive requires an argument$/,
    ],
    [
      'unknown qemu-img subcommand',
      ['check', '-p', 'rhel-9', '--', 'qemu-img', 'frobnicate', 'x'],
      /unknown subcommand 'frobnicate'/,
    ],
    [
      'bad -blockdev JSON',
      ['check', '-p', 'rhel-9', '--', 'qemu-kvm', '-blockdev', '{"driver":'],
      /-blockdev \{"driver":: not valid JSON/,
    ],
    ['no command', ['check', '-p', 'rhel-9'], /no command given: put the command to check after --/],
    [
      'a RHEL program on this host without --profile',
      ['check', '--', 'qemu-kvm', '-hda', 'x'],
      /unknown command 'qemu-kvm' on profile host: .*--profile NAME/,
    ],
    ['unknown blockgate command', ['chek'], /unknown command 'chek'/],
    ['bad --format', ['diff', 'rhel-8', 'rhel-9', '--format', 'xml'], /unknown --format 'xml'/],
  ];
  for (const [name, args, pattern] of cases) {
    it(name, () => {
      const r = run(args, dir);
      expect(r.status).toBe(2);
      const lines = r.stderr
        .trimEnd()
        .split('\n')
        .filter((l) => !l.startsWith('(Did you mean'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
      expect(r.stdout).toBe('');
      expect(readdirSync(dir).sort()).toEqual(['bad.yaml', 'broken.yaml']);
    });
  }
});

describe('the inspected host is the default profile', () => {
  it('check without --profile uses this machine and says so', () => {
    const r = run(['check', '--json', '-C', 'examples', '--', 'qemu-system-x86_64', '-drive', 'file=test.vpc,if=none']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).profile).toBe('host');
  });
  it('no qemu on the machine: one line that suggests --profile, exit 2', () => {
    // A PATH with node and the coreutils the launcher uses, and no QEMU.
    const bin = mkdtempSync(join(tmpdir(), 'blockgate-path-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    for (const tool of ['readlink', 'dirname']) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
    const r = spawnSync(BIN, ['check', '--', 'qemu-kvm', '-hda', 'x'], {
      encoding: 'utf8',
      env: { PATH: bin, HOME: process.env['HOME'] ?? '/root' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--profile NAME/);
  });
});

describe('blockgate profiles', () => {
  it('lists every bundled profile', () => {
    const r = run(['profiles']);
    expect(r.status).toBe(0);
    for (const name of [
      'rhel-7',
      'rhel-7-rhev',
      'rhel-8',
      'rhel-9',
      'rhel-9.2',
      'rhel-10',
      'fedora',
      'debian-12',
      'opensuse',
      'upstream',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^${name.replace('.', '\\.')} `, 'm'));
    }
  });
  it('shows a profile with every fact group sourced', () => {
    const r = run(['profiles', 'show', 'rhel-9.2', '--json']);
    const p = JSON.parse(r.stdout);
    expect(p.qemu.whitelist.ro).toEqual(['vdi', 'vmdk', 'vhdx', 'vpc', 'https']);
    for (const group of [p.qemu, p.qemu.drivers, p.qemu.whitelist, ...p.qemu.modules])
      expect(group.source.length).toBeGreaterThan(8);
  });
  it('every bundled policy file names a source for each fact group', () => {
    for (const f of readdirSync('policies').filter((x) => x.endsWith('.yaml'))) {
      expect(readFileSync(join('policies', f), 'utf8')).toMatch(/source:/);
    }
  });
});
