/**
 * A corpus of real messages, captured here by running the real programs: every refusal the QEMU oracles print
 * (rhel9, rhel7, rhel9-tools builds; stock Debian 7.2 with a module hidden, of another build, or broken), the
 * libguestfs and virt-v2v refusals that come before any appliance starts, and nbdkit's. Each is explained with
 * the code and layer of the profile that describes the build. A missing oracle or program fails the test.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Profile } from '../../src/model/profile.js';
import { loadProfile } from '../../src/host/profiles.js';
import { trialOpen } from '../../src/host/trial-open.js';
import { explain } from '../../src/explain/explain.js';
import { oracle, type Oracle, type OracleName } from '../support/oracles.js';
import { makeImages } from '../support/compare.js';

interface Run {
  stderr: string;
  status: number | null;
}

function tool(program: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Run {
  const r = spawnSync(program, args, { cwd, env: { ...env, LC_ALL: 'C.UTF-8' }, encoding: 'utf8', input: '' });
  if (r.error) throw new Error(`${program} could not run: ${r.error.message}`);
  return { stderr: r.stderr, status: r.status };
}

async function system(o: Oracle, args: string[], cwd: string, prefix: string[] = [], program = o.qemu): Promise<Run> {
  const real = await trialOpen(program, [...prefix, ...args], { cwd, env: o.env, timeoutMs: 30_000 });
  return { stderr: real.stderr, status: real.exitCode };
}

/** What explain makes of a captured stderr: [line, code, layer] of each message, and what it only recognised. */
function explained(stderr: string, profile: Profile) {
  const result = explain(stderr, profile, { numbered: true });
  return { codes: result.explained.map((e) => [e.code, e.layer]), result };
}

const PROFILES: Record<OracleName, string> = {
  rhel9: 'test/fixtures/profiles/oracle-rhel9.yaml',
  rhel7: 'test/fixtures/profiles/oracle-rhel7.yaml',
  'rhel9-tools': 'test/fixtures/profiles/oracle-rhel9-tools.yaml',
  debian: 'debian-12',
};

type Case = [what: string, capture: (o: Oracle, dir: string) => Promise<Run> | Run, expected: [string, string][]];

const M_NONE = ['-M', 'none'];
const CASES: Record<OracleName, Case[]> = {
  rhel9: [
    [
      'ro-listed driver read-write',
      (o, d) => system(o, [...M_NONE, '-blockdev', 'driver=vpc,node-name=a,file.driver=file,file.filename=t.vpc'], d),
      [['driver-read-only-only', 'whitelist']],
    ],
    [
      'driver on neither list',
      (o, d) => system(o, [...M_NONE, '-drive', 'file=t.qcow,format=qcow,if=none'], d),
      [['driver-not-whitelisted', 'whitelist']],
    ],
    [
      'protocol on neither list',
      (o, d) => system(o, [...M_NONE, '-drive', 'file=ssh://127.0.0.1/x,if=none'], d),
      [['driver-not-whitelisted', 'whitelist']],
    ],
    [
      'unknown protocol',
      (o, d) => system(o, [...M_NONE, '-drive', 'file=foo://127.0.0.1/x,if=none'], d),
      [['protocol-unknown', 'availability']],
    ],
    [
      'unknown driver',
      (o, d) => system(o, [...M_NONE, '-drive', 'file=t.raw,format=nosuch,if=none'], d),
      [['driver-not-built', 'availability']],
    ],
    [
      'unknown -blockdev driver',
      (o, d) => system(o, [...M_NONE, '-blockdev', 'driver=nosuch,node-name=a'], d),
      [['driver-not-built', 'availability']],
    ],
    [
      'file not found',
      (o, d) => system(o, [...M_NONE, '-drive', 'file=nosuch.img,if=none'], d),
      [['file-not-found', 'file']],
    ],
    [
      'backing file not found',
      (o, d) => system(o, [...M_NONE, '-drive', 'file=ov-missing.qcow2,format=qcow2,if=none'], d),
      [['file-not-found', 'file']],
    ],
    [
      'ide disk on a node fallen back to read-only',
      (o, d) => system(o, ['-M', 'pc', '-drive', 'file=t.vmdk,format=vmdk'], d),
      [['device-needs-write', 'device']],
    ],
    [
      'raw probe warning',
      (o, d) => system(o, [...M_NONE, '-drive', 'file=disk.img,if=none'], d),
      [['raw-probed', 'probe']],
    ],
    [
      'node reference not found',
      (o, d) => system(o, [...M_NONE, '-blockdev', 'driver=qcow2,node-name=a,file=nosuchnode'], d),
      [['node-not-found', 'input']],
    ],
  ],
  rhel7: [
    [
      'ro-listed driver read-write',
      (o, d) => system(o, [...M_NONE, '-blockdev', 'driver=vmdk,node-name=a,file.driver=file,file.filename=t.vmdk'], d),
      [['driver-read-only-only', 'whitelist']],
    ],
    [
      'driver on neither list',
      (o, d) => system(o, [...M_NONE, '-drive', 'file=t.vdi,format=vdi,if=none'], d),
      [['driver-not-whitelisted', 'whitelist']],
    ],
    [
      'ro-listed protocol read-write',
      (o, d) =>
        system(o, [...M_NONE, '-blockdev', 'driver=ssh,node-name=s,server.host=127.0.0.1,server.port=1,path=/x'], d),
      [['driver-read-only-only', 'whitelist']],
    ],
  ],
  'rhel9-tools': [
    [
      'qemu-img info, not whitelisted',
      (o, d) => tool(o.qemuImg, ['info', 't.qcow'], d, o.env),
      [['driver-not-whitelisted', 'whitelist']],
    ],
    [
      'qemu-img create over a not whitelisted backing file',
      (o, d) => tool(o.qemuImg, ['create', '-f', 'qcow2', '-b', 't.qcow', '-F', 'qcow', 'new.qcow2'], d, o.env),
      [['driver-not-whitelisted', 'whitelist']],
    ],
    [
      'qemu-io read-write, ro-listed',
      (o, d) => tool(o.qemuIo, ['-c', 'quit', 't.vpc'], d, o.env),
      [['driver-read-only-only', 'whitelist']],
    ],
    [
      'qemu-io read-only, not whitelisted',
      (o, d) => tool(o.qemuIo, ['-r', '-c', 'quit', 't.qcow'], d, o.env),
      [['driver-not-whitelisted', 'whitelist']],
    ],
    [
      'qemu-nbd read-write, ro-listed',
      (o, d) => tool(o.manifest.qemuNbd ?? '', ['t.vpc'], d, o.env),
      [['driver-read-only-only', 'whitelist']],
    ],
  ],
  debian: [
    ['qemu-img, file not found', (o, d) => tool(o.qemuImg, ['info', 'nosuch.img'], d), [['file-not-found', 'file']]],
    [
      'qemu-io, file not found',
      (o, d) => tool(o.qemuIo, ['-c', 'quit', 'nosuch.img'], d),
      [['file-not-found', 'file']],
    ],
    [
      'qemu-nbd, file not found',
      (o, d) => tool(o.manifest.qemuNbd ?? '', ['nosuch.img'], d),
      [['file-not-found', 'file']],
    ],
    [
      'qemu-img -f unknown',
      (o, d) => tool(o.qemuImg, ['info', '-f', 'nosuch', 't.raw'], d),
      [['driver-not-built', 'availability']],
    ],
    [
      'qemu-img -O unknown',
      (o, d) => tool(o.qemuImg, ['convert', '-O', 'nosuch', 't.raw', 'out'], d),
      [['driver-not-built', 'availability']],
    ],
    ['qemu-img, invalid json:', (o, d) => tool(o.qemuImg, ['info', 'json:{"driver":'], d), [['json-invalid', 'input']]],
    [
      'qemu-img create, backing format not given',
      (o, d) => tool(o.qemuImg, ['create', '-f', 'qcow2', '-b', 't.qcow2', 'nofmt.qcow2'], d),
      [['backing-format-missing', 'image']],
    ],
    [
      'curl read-write',
      (o, d) => system(o, [...M_NONE, '-blockdev', 'driver=https,node-name=b,url=https://127.0.0.1:1/x'], d),
      [['driver-read-only-by-nature', 'driver']],
    ],
    [
      'ide-hd on a read-only node',
      (o, d) =>
        system(
          o,
          ['-M', 'pc', '-drive', 'file=t.qcow2,format=qcow2,if=none,id=d,readonly=on', '-device', 'ide-hd,drive=d'],
          d,
        ),
      [['device-needs-write', 'device']],
    ],
    ...(['-drive', '-blockdev', 'qemu-img', 'qemu-io', 'qemu-nbd'] as const).map(
      (form): Case => [
        `block-ssh.so not installed, ${form}`,
        (o, d) => missingSsh(o, d, form),
        [['module-not-installed', 'module']],
      ],
    ),
    [
      'block-ssh.so of another build',
      (o, d) =>
        moduleDir(o, d, (dir) =>
          copyFileSync(join(oracle('rhel9').moduleDir ?? '', 'block-ssh.so'), join(dir, 'block-ssh.so')),
        ),
      [['module-not-installed', 'module']],
    ],
    [
      'block-ssh.so broken',
      (o, d) => moduleDir(o, d, (dir) => writeFileSync(join(dir, 'block-ssh.so'), '')),
      [['module-not-installed', 'module']],
    ],
  ],
};

const WRAPPER = resolve('scripts/with-missing-module.sh');

function missingSsh(
  o: Oracle,
  d: string,
  form: '-drive' | '-blockdev' | 'qemu-img' | 'qemu-io' | 'qemu-nbd',
): Promise<Run> | Run {
  const prefix = [o.manifest.modulesWithoutSsh ?? '', '--'];
  const url = 'ssh://127.0.0.1/x';
  if (form === '-drive')
    return system(o, [...M_NONE, '-drive', `file=${url},if=none`], d, [...prefix, o.qemu], WRAPPER);
  if (form === '-blockdev')
    return system(
      o,
      [...M_NONE, '-blockdev', 'driver=ssh,node-name=s,server.host=127.0.0.1,server.port=1,path=/x'],
      d,
      [...prefix, o.qemu],
      WRAPPER,
    );
  const program = form === 'qemu-img' ? o.qemuImg : form === 'qemu-io' ? o.qemuIo : (o.manifest.qemuNbd ?? '');
  const args = form === 'qemu-img' ? ['info', url] : form === 'qemu-io' ? ['-c', 'quit', url] : [url];
  return tool(WRAPPER, [...prefix, program, ...args], d);
}

/** QEMU_MODULE_DIR is searched first: a block-ssh.so there that QEMU cannot use. */
function moduleDir(o: Oracle, d: string, put: (dir: string) => void): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'blockgate-modules-'));
  put(dir);
  return system(
    { ...o, env: { ...o.env, QEMU_MODULE_DIR: dir } },
    [...M_NONE, '-drive', 'file=ssh://127.0.0.1/x,if=none'],
    d,
  );
}

for (const name of Object.keys(CASES) as OracleName[]) {
  describe(`explain what the real ${name} build prints`, () => {
    let o: Oracle;
    let profile: Profile;
    let dir: string;
    beforeAll(async () => {
      o = oracle(name);
      profile = await loadProfile(PROFILES[name]);
      dir = makeImages(o);
      spawnSync(
        '/usr/bin/qemu-img',
        ['create', '-q', '-f', 'qcow2', '-b', 'missing.qcow2', '-F', 'qcow2', 'ov-missing.qcow2', '1M'],
        { cwd: dir },
      );
    });
    for (const [what, capture, expected] of CASES[name]) {
      it(what, async () => {
        const run = await capture(o, dir);
        expect(run.stderr).not.toBe('');
        const { codes, result } = explained(run.stderr, profile);
        expect(codes, run.stderr).toEqual(expected);
        expect(result.recognised).toEqual([]);
        // Every line of what the program printed belongs to the one message explained.
        expect(result.explained[0]?.text.split('\n')).toHaveLength(run.stderr.trimEnd().split('\n').length);
      });
    }
  });
}

describe('explain what the layers above QEMU print before any appliance starts', () => {
  let dir: string;
  let profile: Profile;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'blockgate-stack-'));
    mkdirSync(join(dir, 'sub'));
    spawnSync('/usr/bin/qemu-img', ['create', '-q', '-f', 'raw', 't.raw', '1M'], { cwd: dir });
    profile = await loadProfile('debian-12');
  });
  const cases: [string, string, string[], [string, string][]][] = [
    [
      'guestfish, local file missing',
      'guestfish',
      ['-a', '/nonexistent.img', 'run'],
      [['libguestfs-file-missing', 'libguestfs']],
    ],
    ['virt-ls, local file missing', 'virt-ls', ['-a', 'nosuch.img', '/'], [['libguestfs-file-missing', 'libguestfs']]],
    [
      'guestfish, protocol libguestfs does not know',
      'guestfish',
      ['-a', 'foo://127.0.0.1/x'],
      [['libguestfs-protocol-unknown', 'libguestfs']],
    ],
    [
      'virt-v2v -i disk, file missing',
      'virt-v2v',
      ['-i', 'disk', '/nonexistent', '-o', 'null'],
      [['file-not-found', 'virt-v2v']],
    ],
    [
      'virt-v2v, output mode this build lacks',
      'virt-v2v',
      ['-i', 'disk', 't.raw', '-o', 'nosuch'],
      [['v2v-output-disabled', 'virt-v2v']],
    ],
    ['nbdkit, plugin missing', 'nbdkit', ['nosuchplugin'], [['nbdkit-plugin-missing', 'nbdkit']]],
    ['nbdkit file plugin, file missing', 'nbdkit', ['file', '/nonexistent'], [['file-not-found', 'nbdkit']]],
  ];
  for (const [what, program, args, expected] of cases) {
    it(what, () => {
      const run = tool(program, args, dir);
      expect(run.status).not.toBe(0);
      expect(explained(run.stderr, profile).codes, run.stderr).toEqual(expected);
    });
  }
});
