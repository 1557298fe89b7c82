import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { validateSarif } from '../support/sarif.js';

const require = createRequire(import.meta.url);
const { parse } = require('test-results-parser') as typeof import('test-results-parser');
const BIN = resolve('bin/blockgate');
const SEED = ['check', '-p', 'rhel-7', '-C', 'examples', '--', 'qemu-kvm', '-drive', 'file=test.vpc'];
const FALLBACK = ['check', '-p', 'rhel-9', '-C', 'examples', '--', 'qemu-kvm', '-drive', 'file=test.vpc,if=virtio'];

/** The CLI with a clean colour environment: neither NO_COLOR nor FORCE_COLOR leaks in from the test runner. */
function run(args: string[], env: Record<string, string> = {}) {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'NO_COLOR' && k !== 'FORCE_COLOR' && k !== 'TERM'),
  );
  const r = spawnSync(BIN, args, { encoding: 'utf8', env: { ...base, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** With --format F inserted before the `--` of a check (or at the end). */
const withFormat = (args: string[], ...extra: string[]) => {
  const at = args.indexOf('--');
  return at < 0 ? [...args, ...extra] : [...args.slice(0, at), ...extra, ...args.slice(at)];
};

function junit(xml: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'blockgate-out-')), 'r.xml');
  writeFileSync(file, xml);
  return parse({ type: 'junit', files: [file] });
}

describe('check --format', () => {
  it('sarif: valid SARIF 2.1.0 whose helpUri pages exist in the installed package', () => {
    const r = run(withFormat(SEED, '--format', 'sarif'));
    expect(r.status).toBe(1);
    const log = JSON.parse(r.stdout);
    expect(validateSarif(log)).toEqual([]);
    for (const rule of log.runs[0].tool.driver.rules) expect(existsSync(fileURLToPath(rule.helpUri))).toBe(true);
    expect(log.runs[0].tool.driver.version).toBe(require('../../package.json').version);
  });
  it('junit: the failing drive is a failed test case for a JUnit reader', () => {
    const r = junit(run(withFormat(SEED, '--format', 'junit')).stdout);
    expect([r.total, r.failed]).toEqual([1, 1]);
  });
  it('github: one annotation per finding, on the image file', () => {
    const lines = run(withFormat(SEED, '--format', 'github'))
      .stdout.trimEnd()
      .split('\n');
    expect(lines.map((l) => l.replace(/ .*/, ''))).toEqual(['::error', '::notice']);
    expect(lines[0]).toMatch(
      /^::error title=Driver allowed read-only only \(driver-read-only-only\),file=test\.vpc::-drive file=test\.vpc ide0-hd0: 'vpc' is only/,
    );
  });
  it('--json is --format json, byte for byte; text is unchanged by the flag', () => {
    expect(run(withFormat(SEED, '--json')).stdout).toBe(run(withFormat(SEED, '--format', 'json')).stdout);
    expect(run(withFormat(SEED, '--format', 'text')).stdout).toBe(run(SEED).stdout);
  });
  it('--strict: the read-only fallback (a warning) exits 1, and its JUnit case fails', () => {
    expect(run(FALLBACK).status).toBe(0);
    expect(run(withFormat(FALLBACK, '--strict')).status).toBe(1);
    expect(junit(run(withFormat(FALLBACK, '--format', 'junit')).stdout).failed).toBe(0);
    expect(junit(run(withFormat(FALLBACK, '--format', 'junit', '--strict')).stdout).failed).toBe(1);
  });
});

describe('image and scan --format', () => {
  it('image sarif locates findings in the image; -f still names the image format', () => {
    const r = run(['image', '-p', 'rhel-9', '--format', 'sarif', 'examples/test.vpc']);
    const log = JSON.parse(r.stdout);
    expect(validateSarif(log)).toEqual([]);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({
      uri: 'examples/test.vpc',
      uriBaseId: 'CWD',
    });
    const declared = JSON.parse(run(['image', '-p', 'rhel-9', '-f', 'vpc', '--json', 'examples/test.vpc']).stdout);
    expect(declared[0].findings.map((f: { code: string }) => f.code)).not.toContain('image-format-probed');
    expect(run(['image', '-p', 'rhel-9', '--strict', 'examples/test.vpc']).status).toBe(1);
  });
  it('scan: junit one case per image, sarif valid, github streamed, the summary on stderr', () => {
    const j = run(['scan', '-p', 'rhel-9', '--format', 'junit', 'examples']);
    expect(junit(j.stdout).total).toBe(1);
    expect(j.stderr).toMatch(/^scanned 1 images/);
    expect(validateSarif(JSON.parse(run(['scan', '-p', 'rhel-9', '--format', 'sarif', 'examples']).stdout))).toEqual(
      [],
    );
    expect(run(['scan', '-p', 'rhel-9', '--format', 'github', 'examples']).stdout).toMatch(
      /^::notice title=.*file=examples\/test\.vpc::/m,
    );
    const json = run(['scan', '-p', 'rhel-9', '--json', 'examples']).stdout.trimEnd().split('\n');
    expect(json.map((l) => JSON.parse(l).path)).toEqual(['examples/test.vpc']);
  });
});

describe('diff and gate compare facts: github, no sarif', () => {
  it('diff --format github annotates each difference; sarif is refused as bad input', () => {
    const r = run(['diff', 'rhel-8', 'rhel-9', '--format', 'github']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /^::error title=read-only whitelist differs from rhel-8 \(drift-ro-whitelist\)::read-only whitelist: - ssh$/m,
    );
    const bad = run(['diff', 'rhel-8', 'rhel-9', '--format', 'sarif']);
    expect([bad.status, bad.stdout, bad.stderr]).toEqual([
      2,
      '',
      "blockgate: --format sarif does not fit this command's result: use text, json, junit or github\n",
    ]);
  });
  it('bad formats are one line and exit 2 on every command', () => {
    for (const args of [
      withFormat(SEED, '--format', 'xml'),
      ['image', '--format', 'qcow2', 'x'],
      ['scan', '--format', 'x', 'examples'],
      withFormat(SEED, '--json', '--format', 'junit'),
    ]) {
      const r = run(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^blockgate: [^\n]+\n$/);
    }
  });
});

describe('colour, in a real pseudo-terminal (util-linux script)', () => {
  /** Runs the CLI on a terminal: `script` gives it a pty as stdout. */
  function onTerminal(env: string) {
    const cmd = `env ${env} ${BIN} ${SEED.map((a) => `'${a}'`).join(' ')}`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/' },
    });
    if (r.error) throw r.error;
    return r.stdout;
  }
  it('a terminal gets colour; NO_COLOR=1 takes it away; TERM=dumb too', () => {
    expect(onTerminal('TERM=xterm')).toContain('\u001b[31mFAILS\u001b[0m');
    expect(onTerminal('TERM=xterm NO_COLOR=1')).not.toContain('\u001b[');
    expect(onTerminal('TERM=dumb')).not.toContain('\u001b[');
  });
  it('machine formats are never coloured, even on a terminal', () => {
    for (const format of ['sarif', 'github', 'junit', 'json']) {
      const r = spawnSync(
        'script',
        ['-qec', `env TERM=xterm ${BIN} ${withFormat(SEED, '--format', format).join(' ')}`, '/dev/null'],
        { encoding: 'utf8' },
      );
      expect(r.stdout).toMatch(/\S/);
      expect(r.stdout).not.toContain('\u001b[');
    }
  });
  it('a pipe has no colour unless FORCE_COLOR; NO_COLOR beats FORCE_COLOR', () => {
    expect(run(SEED).stdout).not.toContain('\u001b[');
    expect(run(SEED, { FORCE_COLOR: '1' }).stdout).toContain('\u001b[31mFAILS\u001b[0m');
    expect(run(SEED, { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout).not.toContain('\u001b[');
  });
});
