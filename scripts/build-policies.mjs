// Build step (run from src/ and dist/ alike, both find <root>/dist): validate every bundled profile once, merge `extends:`, and write
// dist/policies.json so the CLI never parses YAML or compiles a schema for bundled profiles.
// It also writes dist/validate-profile.cjs, ajv's standalone validator (CommonJS: its runtime helpers are require()d), for user profile files.
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { resolveBundledProfiles } from '../dist/policy/resolve.js';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'policies');
const schema = JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, code: { source: true } });
const validate = ajv.compile(schema);
mkdirSync(join(root, 'dist'), { recursive: true });
writeFileSync(join(root, 'dist', 'validate-profile.cjs'), standaloneCode(ajv, validate));

const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const profiles = resolveBundledProfiles(
  files.map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') })),
  validate,
  parse,
);
writeFileSync(join(root, 'dist', 'policies.json'), JSON.stringify(profiles));
console.log(`policies: ${Object.keys(profiles).length} profiles bundled`);
