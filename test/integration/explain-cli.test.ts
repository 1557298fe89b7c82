import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { oracle } from '../support/oracles.js';
import { validateSarif } from '../support/sarif.js';

const BIN = resolve('bin/blockgate');

function run(args: string[], input?: string) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A log as a CI job would keep it: the real rhel9 build's stderr between other lines. */
function realLog(): string {
  const o = oracle('rhel9');
  const dir = mkdtempSync(join(tmpdir(), 'blockgate-explain-'));
  spawnSync('/usr/bin/qemu-img', ['create', '-q', '-f', 'vmdk', 't.vmdk', '1M'], { cwd: dir });
  const qemu = spawnSync(
    o.qemu,
    [
      '-M',
      'none',
      '-display',
      'none',
      '-nodefaults',
      '-S',
      '-blockdev',
      'driver=vmdk,node-name=a,file.driver=file,file.filename=t.vmdk',
    ],
    { cwd: dir, env: o.env, encoding: 'utf8', input: '' },
  );
  expect(qemu.status).toBe(1);
  return `+ start guest\n${qemu.stderr}+ done\n`;
}

describe('blockgate explain', () => {
  it('--format sarif and github point at the line of the log, from a real rhel9 refusal', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'blockgate-log-')), 'ci.log');
    writeFileSync(file, realLog());
    const sarif = run(['explain', '-p', 'rhel-9', '--log', file, '--format', 'sarif']);
    expect(sarif.status).toBe(0);
    const log = JSON.parse(sarif.stdout);
    expect(validateSarif(log)).toEqual([]);
    const [result] = log.runs[0].results;
    expect(result.ruleId).toBe('driver-read-only-only');
    expect(result.locations[0].physicalLocation.region).toEqual({ startLine: 2 });
    const github = run(['explain', '-p', 'rhel-9', '--log', file, '--format', 'github']);
    expect(github.stdout).toMatch(
      new RegExp(
        '^::error title=Driver allowed read-only only ' +
          `\\(driver-read-only-only\\),file=${file.replaceAll('/', '\\/')},line=2::`,
      ),
    );
  });

  it('takes an unquoted message whose words look like options', () => {
    const r = run([
      'explain',
      '-p',
      'rhel-7',
      'qemu-kvm:',
      '-drive',
      'file=t.vpc:',
      'Driver',
      "'vpc'",
      'can',
      'only',
      'be',
      'used',
      'for',
      'read-only',
      'devices',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('error driver-read-only-only');
  });

  it('explains one message given on the command line, with the fixes of the profile', () => {
    const r = run([
      'explain',
      '-p',
      'rhel-9',
      "qemu-kvm: -drive file=t.vmdk,format=vmdk,if=none,auto-read-only=off: Driver 'vmdk' can " +
        'only be used for read-only devices',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      '  error driver-read-only-only: Driver allowed read-only only  (layer: whitelist, program: qemu-kvm)\n',
    );
    expect(r.stdout).toContain(
      '  fix: open it read-only: -drive file=t.vmdk,format=vmdk,if=none,auto-read-only=off,readonly=on\n',
    );
    expect(r.stdout).toContain(
      "  fix: convert it; rhel-9's qemu-img does not enforce the whitelist: qemu-img convert -f " +
        'vmdk -O qcow2 t.vmdk t.qcow2\n',
    );
    expect(r.stdout).toContain('  see: docs/findings/driver-read-only-only.md\n');
  });

  it('--log FILE and --log - find the message with its line number; --json has the documented shape', () => {
    const log = realLog();
    const file = join(mkdtempSync(join(tmpdir(), 'blockgate-log-')), 'ci.log');
    writeFileSync(file, log);
    const fromFile = run(['explain', '-p', 'rhel-9', '--log', file]);
    expect(fromFile.status).toBe(0);
    expect(fromFile.stdout).toContain(
      'line 2: qemu-system-x86_64: -blockdev ' +
        "driver=vmdk,node-name=a,file.driver=file,file.filename=t.vmdk: Driver 'vmdk' can only be " +
        'used for read-only devices\n',
    );
    const json = run(['explain', '-p', 'rhel-9', '--json', '--log', '-'], log);
    expect(json.status).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out).toMatchObject({ blockgate: 1, profile: 'rhel-9', recognised: [] });
    expect(out.explained).toHaveLength(1);
    const [e] = out.explained;
    expect(Object.keys(e)).toEqual([
      'line',
      'text',
      'program',
      'code',
      'layer',
      'severity',
      'args',
      'title',
      'cause',
      'notes',
      'fixes',
      'docs',
    ]);
    expect(e).toMatchObject({
      line: 2,
      program: 'qemu-system-x86_64',
      code: 'driver-read-only-only',
      layer: 'whitelist',
      severity: 'error',
      args: { driver: 'vmdk' },
    });
    expect(e.fixes[0]).toBe(
      'open it read-only: -blockdev driver=vmdk,node-name=a,file.driver=file,file.filename=t.vmdk,read-only=on',
    );
    expect(statSync(e.docs).isFile()).toBe(true);
  });

  it('an unknown text: says so, points at check, exit 1', () => {
    const r = run(['explain', '-p', 'rhel-9', 'the', 'disk', 'is', 'sad']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('blockgate does not know this message: the disk is sad\n');
    expect(r.stdout).toContain('blockgate check [--profile NAME] -- <the command>');
  });

  it('bad input: one line, exit 2', () => {
    for (const args of [
      ['explain', '-p', 'rhel-9'],
      ['explain', '-p', 'rhel-9', '--log', '/nonexistent/log'],
      ['explain', '-p', 'nosuch', 'x'],
      ['explain', '--log', '-', 'x'],
    ]) {
      const r = run(args, '');
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});
