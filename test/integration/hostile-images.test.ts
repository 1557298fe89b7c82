/**
 * A hostile corpus made with the real qemu-img (Debian 7.2) and by hand, judged by judgeImage: each image gets its
 * finding, no file outside the corpus is read (a recording reader sees every read), and no image changes.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageFacts } from '../../src/host/image-facts.js';
import { bundledProfiles } from '../../src/host/profiles.js';
import { judgeImage, type JudgeOptions } from '../../src/host/judge-image.js';
import { failed, imageLine, imageRecord } from '../../src/report/image.js';
import type { Profile } from '../../src/model/profile.js';
import type { ProbeFormat } from '../../src/model/image.js';

const QEMU_IMG = '/usr/bin/qemu-img';
const DEEP = 1000;
let dir = '';
let profile: Profile;
const before = new Map<string, string>();

function qemuImg(...args: string[]): string {
  return execFileSync(QEMU_IMG, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
const create = (...args: string[]) => qemuImg('create', '-q', ...args);
const file = (name: string) => join(dir, name);

/** Replaces a string in an image's bytes; a header extension's length field is fixed up when it holds the string. */
function patch(name: string, from: string, to: string): void {
  const buf = readFileSync(file(name));
  const at = buf.indexOf(from);
  expect(at).toBeGreaterThan(0);
  let out = Buffer.concat([buf.subarray(0, at), Buffer.from(to), buf.subarray(at + from.length)]);
  if (from.length !== to.length) {
    // qcow2 header extension: type (4) and length (4) right before the data, data padded to 8 bytes.
    const padded = (n: number) => Math.ceil(n / 8) * 8;
    out = Buffer.concat([
      buf.subarray(0, at - 4),
      u32(to.length),
      Buffer.from(to),
      Buffer.alloc(padded(to.length) - to.length),
      buf.subarray(at + padded(from.length)),
    ]);
  }
  writeFileSync(file(name), out);
}
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

function setHeaderField(name: string, offset: number, value: bigint, size: 4 | 8): void {
  const buf = readFileSync(file(name));
  if (size === 8) buf.writeBigUInt64BE(value, offset);
  else buf.writeUInt32BE(Number(value), offset);
  writeFileSync(file(name), buf);
}

const QUORUM =
  'json:{"driver":"quorum","vote-threshold":1,"children":[{"driver":"raw","file":{"driver":"file","filename":"/etc/passwd"}},{"driver":"raw","file":{"driver":"file","filename":"/etc/passwd"}}]}';
const NBD =
  'json:{"driver":"raw","file":{"driver":"nbd","server":{"type":"inet","host":"127.0.0.1","port":"10809"},"export":"secret"}}';

function makeCorpus(): void {
  create('-f', 'qcow2', 'base.qcow2', '1M');
  create('-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', 'benign.qcow2');
  create('-f', 'qcow2', '-b', '/etc/passwd', '-F', 'raw', 'passwd-backing.qcow2', '1M');
  // Made with a data file name as long as /etc/passwd, then pointed at it: qemu-img never opens /etc/passwd.
  create('-f', 'qcow2', '-o', 'data_file=placeholder1', 'passwd-data.qcow2', '1M');
  patch('passwd-data.qcow2', 'placeholder1', '/etc/passwd');
  create('-f', 'qcow2', 'quorum-backing.qcow2', '1M');
  qemuImg('rebase', '-u', '-b', QUORUM, '-F', 'quorum', 'quorum-backing.qcow2');
  create('-f', 'qcow2', 'nbd-backing.qcow2', '1M');
  qemuImg('rebase', '-u', '-b', NBD, '-F', 'raw', 'nbd-backing.qcow2');
  writeFileSync(
    file('device-extent.vmdk'),
    [
      '# Disk DescriptorFile',
      'version=1',
      'CID=fffffffe',
      'parentCID=ffffffff',
      'createType="monolithicFlat"',
      '',
      'RW 2048 FLAT "/dev/null" 0',
      '',
      'ddb.adapterType = "ide"',
      '',
    ].join('\n'),
  );
  // A guest disk whose first bytes are a qcow2 header (the guest wrote it) with a backing file on the host.
  copyFileSync(file('passwd-backing.qcow2'), file('guest.img'));
  truncateSync(file('guest.img'), 4 << 20);
  create('-f', 'qcow2', 'loop-a.qcow2', '1M');
  create('-f', 'qcow2', '-b', 'loop-a.qcow2', '-F', 'qcow2', 'loop-b.qcow2');
  qemuImg('rebase', '-u', '-b', 'loop-b.qcow2', '-F', 'qcow2', 'loop-a.qcow2');
  // 1,000 overlays, each on the next: one made by qemu-img, the rest copies with the backing name patched.
  const deep = (i: number) => `deep${String(i).padStart(4, '0')}.qcow2`;
  create('-f', 'qcow2', deep(DEEP - 1), '1M');
  create('-f', 'qcow2', '-b', deep(DEEP - 1), '-F', 'qcow2', 'deep-template');
  const template = readFileSync(file('deep-template'));
  const at = template.indexOf(deep(DEEP - 1));
  for (let i = 0; i < DEEP - 1; i++) {
    const copy = Buffer.from(template);
    copy.write(deep(i + 1), at);
    writeFileSync(file(deep(i)), copy);
  }
  rmSync(file('deep-template'));
  writeFileSync(file('truncated.qcow2'), readFileSync(file('base.qcow2')).subarray(0, 50));
  copyFileSync(file('passwd-backing.qcow2'), file('long-name.qcow2'));
  setHeaderField('long-name.qcow2', 16, 4096n, 4); // backing_file_size: QEMU allows 1023
  copyFileSync(file('passwd-backing.qcow2'), file('far-name.qcow2'));
  setHeaderField('far-name.qcow2', 8, 1n << 40n, 8); // backing_file_offset past the first cluster
}

const sha256 = (name: string) =>
  createHash('sha256')
    .update(readFileSync(file(name)))
    .digest('hex');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blockgate-hostile-'));
  profile = bundledProfiles()['debian-12'] as Profile;
  makeCorpus();
  for (const name of readdirSync(dir)) before.set(name, sha256(name));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Judges one image of the corpus and records every file read, by absolute path. */
function judge(name: string, options: JudgeOptions = {}) {
  const reads = new Set<string>();
  const read = (filename: string, format?: ProbeFormat) => {
    reads.add(resolve(dir, filename));
    return readImageFacts(filename, dir, format);
  };
  const j = judgeImage(name, dir, profile, { ...options, read });
  return { ...j, reads, codes: j.findings.map((f) => `${f.code}:${f.severity}`) };
}

describe('the corpus is what it claims (qemu-img info)', () => {
  it('passwd-backing.qcow2 names /etc/passwd as its backing file', () =>
    expect(qemuImg('info', '-U', 'passwd-backing.qcow2')).toContain('backing file: /etc/passwd'));
  it('passwd-data.qcow2 names /etc/passwd as its data file', () =>
    expect(qemuImg('info', '-U', '-f', 'qcow2', 'passwd-data.qcow2')).toContain('data file: /etc/passwd'));
  it('guest.img probes as qcow2', () => expect(qemuImg('info', '-U', 'guest.img')).toContain('file format: qcow2'));
  it('qemu-img refuses the broken headers with the words blockgate reports', () => {
    for (const [name, text] of [
      ['truncated.qcow2', 'qcow2 header too short'],
      ['long-name.qcow2', 'Backing file name too long'],
      ['far-name.qcow2', 'Invalid backing file offset'],
    ]) {
      const r = spawnSync(QEMU_IMG, ['info', '-U', name ?? ''], { cwd: dir, encoding: 'utf8' });
      expect(r.stderr).toContain(text);
    }
  });
});

describe.each([
  ['passwd-backing.qcow2', {}, 'backing-outside-folder:error'],
  ['passwd-backing.qcow2', {}, 'backing-absolute:warning'],
  ['passwd-data.qcow2', {}, 'data-file-outside-folder:error'],
  ['quorum-backing.qcow2', {}, 'backing-json:error'],
  ['nbd-backing.qcow2', {}, 'backing-json:error'],
  ['device-extent.vmdk', {}, 'extent-device:error'],
  ['guest.img', { format: 'raw' }, 'image-format-ambiguous:error'],
  ['guest.img', {}, 'backing-outside-folder:error'],
  ['loop-a.qcow2', {}, 'backing-loop:error'],
  ['deep0000.qcow2', {}, 'chain-too-deep:error'],
  ['truncated.qcow2', {}, 'header-field-out-of-range:error'],
  ['long-name.qcow2', {}, 'header-field-out-of-range:error'],
  ['far-name.qcow2', {}, 'header-field-out-of-range:error'],
] as const)('%s %j', (name, options, expected) => {
  it(`gets ${expected}`, () => expect(judge(name, options).codes).toContain(expected));
  it('reads no file outside the corpus', () => {
    const { reads } = judge(name, options);
    expect(reads.size).toBeGreaterThan(0);
    for (const read of reads) expect(read.startsWith(`${dir}/`), read).toBe(true);
  });
});

describe('what the findings say', () => {
  it('the quorum backing names its drivers and the host file', () =>
    expect(judge('quorum-backing.qcow2').findings.find((f) => f.code === 'backing-json')?.args).toMatchObject({
      drivers: 'quorum, raw, file',
      filenames: '/etc/passwd',
    }));
  it('the nbd backing names the server it would connect to', () =>
    expect(judge('nbd-backing.qcow2').findings.find((f) => f.code === 'backing-json')?.args).toMatchObject({
      drivers: 'raw, nbd',
      servers: '127.0.0.1:10809',
    }));
  it('the deep chain is followed 256 deep, and the files read are that chain', () => {
    const j = judge('deep0000.qcow2');
    expect(j.chain.chain).toHaveLength(256);
    expect(j.findings.find((f) => f.code === 'chain-too-deep')?.args).toEqual({ depth: '256', maxDepth: '256' });
  });
  it('the chain stops before /etc/passwd: it is named, never read', () => {
    const j = judge('passwd-backing.qcow2');
    expect(j.chain.chain.map((n) => n.filename)).toEqual(['passwd-backing.qcow2']);
    expect([...j.reads]).toEqual([file('passwd-backing.qcow2')]);
  });
  it('every hostile image fails the judgement (exit status 1)', () => {
    for (const name of [
      'passwd-backing.qcow2',
      'passwd-data.qcow2',
      'quorum-backing.qcow2',
      'nbd-backing.qcow2',
      'device-extent.vmdk',
      'loop-a.qcow2',
      'deep0000.qcow2',
      'truncated.qcow2',
    ]) {
      expect(failed(judge(name)), name).toBe(true);
    }
  });
});

describe('a benign overlay', () => {
  it('has no warning or error, opens read-write, and reads only itself and its base', () => {
    const j = judge('benign.qcow2');
    expect(j.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(j.check.verdict).toBe('opens');
    expect(failed(j)).toBe(false);
    expect([...j.reads].sort()).toEqual([file('base.qcow2'), file('benign.qcow2')]);
  });
  it('its JSON record has the chain top to base', () => {
    const record = imageRecord(judge('benign.qcow2')) as {
      chain: { filename: string; format: string; backingFormat?: string }[];
      verdict: string;
    };
    expect(record.chain.map((n) => [n.filename, n.format])).toEqual([
      ['benign.qcow2', 'qcow2'],
      ['base.qcow2', 'qcow2'],
    ]);
    expect(record.verdict).toBe('opens');
  });
});

describe('scan --json lines', () => {
  it(
    'from the real CLI, whose heads are read ahead on a second thread past 400 files, equal ' +
      'what image judges here',
    () => {
      const names = readdirSync(dir).sort();
      expect(names.length).toBeGreaterThan(400);
      const r = spawnSync(resolve('bin/blockgate'), ['scan', '--profile', 'debian-12', '--json', '.'], {
        cwd: dir,
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      });
      const lines = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => l['path'])).toEqual(names);
      // The deep chain's links are judged in the test below; here its head (deep0000) stands for them.
      for (const line of lines.filter((l) => !/^deep0*[1-9]/.test(String(l['path'])))) {
        const name = String(line['path']);
        expect(line, name).toEqual(JSON.parse(JSON.stringify(imageRecord(judge(name)))));
      }
    },
  );

  it('are JSON.stringify of the image --json record, for every image of the corpus', () => {
    for (const name of readdirSync(dir).filter((n) => !/^deep0*[1-9]/.test(n))) {
      const j = judge(name);
      expect(imageLine(j), name).toBe(JSON.stringify(imageRecord(j)));
    }
  });
});

describe('no image changed', () => {
  it('every file of the corpus has the sha256 it had before', () => {
    for (const name of [
      'passwd-backing.qcow2',
      'passwd-data.qcow2',
      'quorum-backing.qcow2',
      'nbd-backing.qcow2',
      'device-extent.vmdk',
      'guest.img',
      'loop-a.qcow2',
      'loop-b.qcow2',
      'deep0000.qcow2',
      'truncated.qcow2',
      'long-name.qcow2',
      'far-name.qcow2',
      'benign.qcow2',
      'base.qcow2',
    ])
      judge(name);
    for (const [name, hash] of before) expect(sha256(name), name).toBe(hash);
    expect(readdirSync(dir).sort()).toEqual([...before.keys()].sort());
  });
});
