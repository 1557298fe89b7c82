import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FINDING_CODES } from '../../src/findings/finding.js';
import { docsPath } from '../../src/findings/catalog.js';
import { findingsTable } from '../../src/findings/table.js';

/** Every finding code has one page, as typescript-eslint checks that every rule has its docs. */
const root = fileURLToPath(new URL('../../', import.meta.url));
const SECTIONS = ['Layer', 'Cause', 'Example', 'Fix'];

function page(code: string): string {
  return readFileSync(join(root, 'docs/findings', `${code}.md`), 'utf8');
}

/** `## ` headings outside fenced code blocks, in order. */
function sections(text: string): string[] {
  const unfenced = text.replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, '');
  return [...unfenced.matchAll(/^## (.+)$/gm)].map((m) => (m[1] ?? '').trim());
}

describe.each(FINDING_CODES.map((code) => [code]))('docs/findings/%s.md', (code) => {
  it('exists', () => expect(existsSync(join(root, 'docs/findings', `${code}.md`))).toBe(true));

  it('starts with the code as its title, then a one-line summary', () => {
    const [title, gap, summary, after] = page(code).split('\n');
    expect(title).toBe(`# ${code}`);
    expect(gap).toBe('');
    expect(summary?.trim()).not.toBe('');
    expect(summary?.startsWith('#')).toBe(false);
    expect(after).toBe('');
  });

  it('has exactly the sections Layer, Cause, Example and Fix, in that order, none empty', () => {
    const text = page(code);
    expect(sections(text)).toEqual(SECTIONS);
    for (const name of SECTIONS) {
      const body = text.split(`\n## ${name}\n`)[1]?.split(/\n## /)[0] ?? '';
      expect(body.trim(), `section ${name}`).not.toBe('');
    }
  });

  it('is where docsPath() and the JSON output point', () => {
    expect(docsPath(code)).toBe(`docs/findings/${code}.md`);
    expect(existsSync(join(root, docsPath(code)))).toBe(true);
  });
});

describe('docs/findings/', () => {
  it('has a page for no code that does not exist', () => {
    const pages = readdirSync(join(root, 'docs/findings')).filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(pages.map((f) => f.replace(/\.md$/, '')).sort()).toEqual([...FINDING_CODES].sort());
  });

  it('README.md has the index the catalog makes (npm run docs:findings writes it)', () => {
    const index = readFileSync(join(root, 'docs/findings/README.md'), 'utf8');
    expect(index).toContain(`${findingsTable()}\n`);
  });
});
