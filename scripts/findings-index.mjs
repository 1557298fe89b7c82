// Writes the index table of docs/findings/README.md from the findings catalog (run after `npm run build`).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { findingsTable } = await import(join(root, 'dist/findings/table.js'));
const file = join(root, 'docs/findings/README.md');
const text = readFileSync(file, 'utf8');
const table = /^\| code \|.*\n(?:\|.*\n)*/m;
if (!table.test(text)) throw new Error(`${file} has no table starting with '| code |'`);
writeFileSync(file, text.replace(table, `${findingsTable()}\n`));
