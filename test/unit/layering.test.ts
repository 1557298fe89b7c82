/**
 * The folders of src/ in data-flow order, each importing only folders before it (README "How the code is laid out").
 * An import that runs back up, and so any circle between folders, fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const LAYERS = [
  ['errors.ts', 'qemu', 'findings'],
  ['model'],
  ['image'],
  ['plan'],
  ['engine'],
  ['stack'],
  ['explain'],
  ['waivers'],
  ['report'],
  ['policy'],
  ['host'],
  ['cli'],
];
const SRC = resolve(__dirname, '../../src');
const rank = (folder: string) => LAYERS.findIndex((layer) => layer.includes(folder));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}
const folderOf = (file: string) => relative(SRC, file).split(sep)[0] ?? '';

const edges = sources(SRC).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((m) => ({
    file: relative(SRC, file),
    from: folderOf(file),
    to: folderOf(resolve(dirname(file), m[1] ?? '')),
  })),
);

describe('layering of src/', () => {
  it('every folder has a place in the order', () => {
    expect([...new Set(edges.map((e) => e.from))].filter((f) => rank(f) < 0)).toEqual([]);
  });

  it('no import runs back up the order (so no circle between folders)', () => {
    const upward = edges.filter(
      (e) => rank(e.to) > rank(e.from) || (rank(e.to) === rank(e.from) && e.to !== e.from && rank(e.from) > 0),
    );
    expect(upward.map((e) => `${e.file} imports ${e.to}/`)).toEqual([]);
  });

  it('the QEMU leaf and the findings catalog import nothing outside their own folder', () => {
    const out = edges.filter((e) => (e.from === 'qemu' || e.from === 'findings') && e.to !== e.from);
    expect(out.map((e) => `${e.file} imports ${e.to}/`)).toEqual([]);
  });
});
