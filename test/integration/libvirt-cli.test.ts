/** The real libvirt tools around `blockgate check --domain`: virt-xml-validate, virsh dumpxml piped in, libvirtd --version. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspectLibvirt } from '../../src/host/inspect-libvirt.js';

const BIN = resolve('bin/blockgate');
const FIXTURES = 'test/fixtures/domains';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blockgate-libvirt-cli-'));
  execFileSync('qemu-img', ['create', '-q', '-f', 'vpc', join(dir, 'disk.vpc'), '16M']);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('virt-xml-validate (libvirt-clients 9.0.0) accepts every domain fixture', () => {
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.xml'));
  it('there are fixtures', () => expect(fixtures.length).toBeGreaterThan(10));
  for (const file of fixtures) {
    it(file, () => {
      const r = spawnSync('virt-xml-validate', [join(FIXTURES, file), 'domain'], { encoding: 'utf8' });
      // xmllint reports on stderr, also when the file validates.
      expect(`${r.stdout}${r.stderr}`.trim()).toBe(`${join(FIXTURES, file)} validates`);
      expect(r.status).toBe(0);
    });
  }
});

/** virsh define + dumpxml in a private embedded libvirt (see libvirt-vs-real.test.ts for why unshare --user). */
function dumpxml(xml: string): string {
  const root = mkdtempSync(join(dir, 'libvirt-'));
  writeFileSync(join(root, 'domain.xml'), xml);
  const name = /<name>([^<]+)<\/name>/.exec(xml)?.[1] ?? '';
  const r = spawnSync(
    'unshare',
    [
      '--user',
      'virsh',
      '-q',
      '-c',
      `qemu:///embed?root=${root}`,
      `define ${join(root, 'domain.xml')}; dumpxml ${name}`,
    ],
    { encoding: 'utf8' },
  );
  rmSync(root, { recursive: true, force: true });
  expect(r.stderr).toBe('');
  return r.stdout;
}

describe('virsh dumpxml GUEST | blockgate check --domain -', () => {
  it('rhel-9: vpc read-write fails in QEMU, with the exact line and exit 1', () => {
    const xml = readFileSync(join(FIXTURES, 'vpc-read-write.xml'), 'utf8').replaceAll('/srv/blockgate-images', dir);
    const dumped = dumpxml(xml);
    expect(dumped).toContain("<target dev='vda' bus='virtio'/>");
    const r = spawnSync(BIN, ['check', '--profile', 'rhel-9', '--domain', '-'], {
      input: dumped,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      'qemu-system-x86_64: -blockdev ' +
        '{"node-name":"libvirt-1-format","read-only":false,"driver":"vpc","file":"libvirt-1-storage"}: ' +
        "Driver 'vpc' can only be used for read-only devices",
    );
    expect(r.stdout).toContain('verdict: FAILS on rhel-9');
  });

  it(
    '--json on this machine (no --profile): <emulator> and libvirtd are inspected, and ' +
      "Debian's QEMU opens vpc read-write",
    () => {
      const xml = readFileSync(join(FIXTURES, 'vpc-read-write.xml'), 'utf8').replaceAll('/srv/blockgate-images', dir);
      const r = spawnSync(BIN, ['check', '--json', '--domain', '-'], { input: dumpxml(xml), encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.tool).toBe('libvirt');
      expect(out.verdict).toBe('opens');
      expect(out.steps[0].summary).toBe("libvirt 9.0.0 prepares 1 disk of domain 'vpc-read-write' as -blockdev");
      expect(out.steps[1].qemu.program).toBe('qemu-system-x86_64');
    },
  );

  it('bad XML is one line on stderr and exit 2', () => {
    const r = spawnSync(BIN, ['check', '--profile', 'rhel-9', '--domain', '-'], {
      input: '<domain><devices>',
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('domain XML is not well-formed');
  });
});

describe('inspectLibvirt on the real binaries', () => {
  it('reads libvirtd --version', async () => {
    expect(await inspectLibvirt()).toEqual({
      version: '9.0.0',
      source: '`libvirtd --version` printed `libvirtd (libvirt) 9.0.0`',
    });
  });
});
