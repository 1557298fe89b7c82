import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dirname, extname, isAbsolute, resolve } from '../../src/image/posix-path.js';

/** Every path of up to four parts from pieces that hit the corner cases: roots, dots, empty parts, extensions. */
function paths(): string[] {
  const pieces = ['', '.', '..', 'a', 'b.qcow2', '.hidden', 'x.', '...', 'c.tar.gz'];
  const out = new Set<string>(['', '/', '//', '///', '/a//', '//a', '//a/b']);
  const grow = (prefix: string, depth: number): void => {
    out.add(prefix);
    out.add(`/${prefix}`);
    out.add(`${prefix}/`);
    if (depth === 0) return;
    for (const piece of pieces) grow(prefix === '' ? piece : `${prefix}/${piece}`, depth - 1);
  };
  grow('', 3);
  return [...out];
}

describe('posix-path agrees with node:path posix', () => {
  const all = paths();
  it(`dirname, extname and isAbsolute of ${all.length} paths`, () => {
    for (const p of all) {
      expect([p, dirname(p)]).toEqual([p, posix.dirname(p)]);
      expect([p, extname(p)]).toEqual([p, posix.extname(p)]);
      expect([p, isAbsolute(p)]).toEqual([p, posix.isAbsolute(p)]);
    }
  });
  it('resolve of each path against absolute folders', () => {
    for (const base of ['/', '/srv/images', '/srv/images/', '//x']) {
      for (const p of all) expect([base, p, resolve(base, p)]).toEqual([base, p, posix.resolve(base, p)]);
    }
  });
  it('resolve refuses to guess a working directory', () => {
    expect(() => resolve('a', 'b')).toThrow(/absolute path/);
  });
});
