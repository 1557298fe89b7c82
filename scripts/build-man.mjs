// Writes dist/man/blockgate.1 from the same commander definitions as --help (dist/cli/program.js, built by tsc
// just before), so the man page cannot list a command or option that the program does not have, or miss one.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { buildProgram } from '../dist/cli/program.js';
import { manPage } from '../dist/cli/man.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
mkdirSync('dist/man', { recursive: true });
writeFileSync(
  'dist/man/blockgate.1',
  manPage(buildProgram(pkg.version), { version: pkg.version, description: pkg.description }),
);
