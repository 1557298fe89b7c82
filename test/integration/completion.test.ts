import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const BIN = resolve('bin/blockgate');
const MAN = resolve('dist/man/blockgate.1');
const env = { ...process.env, NO_COLOR: '1', PATH: `${dirname(BIN)}:${process.env['PATH'] ?? ''}` };

function sh(program: string, args: string[], input?: string) {
  const r = spawnSync(program, args, { encoding: 'utf8', env, ...(input !== undefined ? { input } : {}) });
  if (r.error) throw new Error(`${program} is needed (scripts/test-setup.sh installs it): ${r.error.message}`);
  return r;
}

const script = (shell: 'bash' | 'zsh') => {
  const r = sh(BIN, ['completion', shell]);
  expect(r.status).toBe(0);
  const file = join(mkdtempSync(join(tmpdir(), 'blockgate-compl-')), shell === 'zsh' ? '_blockgate' : 'blockgate.bash');
  writeFileSync(file, r.stdout);
  return file;
};
const PROFILES = sh(BIN, ['profiles'])
  .stdout.trimEnd()
  .split('\n')
  .map((l) => l.split(' ')[0]!);

/** Words typed after `blockgate` -> what the real shell's completion offers for the last one. */
const CASES: [string, string[]][] = [
  ['ch', ['check']],
  ['check --pro', ['--profile']],
  ['check --profile rhel-9', PROFILES.filter((p) => p.startsWith('rhel-9'))],
  ['check --format s', ['sarif']],
  ['gate --format ', ['github', 'json', 'junit', 'text']],
  ['profiles s', ['show']],
  ['diff rhel-8 deb', ['debian-12']],
  ['completion ', ['bash', 'zsh']],
  ['image --image', ['--image-format']],
];

describe('bash completion, in a real bash', () => {
  const file = script('bash');
  const complete = (typed: string): string[] => {
    const r = sh('bash', [
      '-c',
      `source '${file}'; COMP_WORDS=(blockgate ${typed}); [[ '${typed}' == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _blockgate; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ]);
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean).sort();
  };
  for (const [typed, want] of CASES)
    it(`blockgate ${typed}<TAB>`, () => expect(complete(typed)).toEqual([...want].sort()));
  it('profile names come from `blockgate profiles`, files after --', () => {
    expect(PROFILES).toContain('rhel-7');
    expect(complete('check --profile ')).toEqual(expect.arrayContaining(PROFILES));
    expect(complete('check -C examples -- qemu-kvm -drive READ')).toEqual(['README.md']);
  });
});

describe('zsh completion, in a real zsh', () => {
  const file = script('zsh');
  it('parses (zsh -n)', () => expect(sh('zsh', ['-n', file]).status).toBe(0));
  for (const [typed, want] of CASES) {
    it(`blockgate ${typed}<TAB>`, () => {
      const r = sh('zsh', [resolve('test/support/zsh-complete.zsh'), file, `blockgate ${typed}`]);
      expect(r.status).toBe(0);
      expect(r.stdout.split('\n').filter(Boolean)).toEqual([...want].sort());
    }, 30_000);
  }
});

describe('man page blockgate(1), from the same definitions as --help', () => {
  const helpOf = (path: string[]) => sh(BIN, [...path, '--help']).stdout;
  const section = (help: string, name: string) =>
    (help.split(`\n${name}:\n`)[1] ?? '').split('\n\n')[0]!.split('\n').filter(Boolean);
  const commandsOf = (path: string[]): string[][] =>
    section(helpOf(path), 'Commands')
      .filter((l) => /^ {2}\S/.test(l))
      .map((l) => l.trim().split(' ')[0]!)
      .flatMap((c) => (c === 'help' ? [[...path, c]] : [[...path, c], ...commandsOf([...path, c])]));
  const optionsOf = (path: string[]) =>
    section(helpOf(path), 'Options')
      .filter((l) => l.trim().startsWith('-'))
      .flatMap((l) =>
        l
          .trim()
          .split(/\s{2,}/)[0]!
          .split(', ')
          .map((f) => f.split(' ')[0]!),
      );

  it('renders with groff -man -ww without a warning, and with man -l', () => {
    const groff = sh('groff', ['-man', '-Tutf8', '-ww', '-z', MAN]);
    expect([groff.status, groff.stderr]).toEqual([0, '']);
    const man = sh('man', ['-l', MAN], undefined);
    expect(man.status).toBe(0);
    expect(man.stdout).toMatch(/BLOCKGATE\(1\)/);
  });
  it('lists every command and every option that --help lists', () => {
    const page = sh('groff', ['-man', '-Tutf8', '-P', '-cbou', MAN]).stdout.replace(/\u2010/g, '-');
    const paths = commandsOf([]);
    expect(paths.map((p) => p.join(' '))).toEqual(
      expect.arrayContaining(['check', 'image', 'profiles show', 'completion', 'help']),
    );
    for (const path of paths) {
      expect(page).toContain(`blockgate ${path.join(' ')}`);
      if (path.at(-1) === 'help') continue;
      const start = page.indexOf(`   blockgate ${path.join(' ')} `);
      const end = page.indexOf('\n   blockgate ', start + 1);
      const text = page.slice(start, end < 0 ? undefined : end);
      for (const option of optionsOf(path)) expect(text, `${path.join(' ')} ${option}`).toContain(option);
    }
    for (const option of optionsOf([])) expect(page).toContain(option);
  });
  it('is the page the build wrote from this build (version)', () => {
    expect(readFileSync(MAN, 'utf8')).toContain(`"blockgate ${sh(BIN, ['--version']).stdout.trim()}"`);
  });
});
