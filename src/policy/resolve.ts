import type { Profile } from '../model/profile.js';
import { PolicyError } from '../errors.js';

/** ajv's validate function shape, so this module needs no ajv import. */
export interface Validator {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] | null;
}

export interface ProfileText {
  path: string;
  text: string;
}

type Partial = Record<string, unknown> & { name: string; extends?: string };

/** YAML (a superset of JSON) text to data; passed in so the CLI loads the yaml package only for profile files. */
export type ParseText = (text: string) => unknown;

/** Parses and validates one profile file; errors read `file: path: message`, as ESLint's config validator prints them. */
export function parseProfileFile({ path, text }: ProfileText, validate: Validator, parse: ParseText): Partial {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new PolicyError(`${path}: ${firstLine((error as Error).message)}`);
  }
  if (!validate(data)) {
    const e = validate.errors?.[0];
    const where = e?.instancePath || '/';
    const extra = e?.params?.['additionalProperty'] ? ` '${String(e.params['additionalProperty'])}'` : '';
    throw new PolicyError(`${path}: ${where}: ${e?.message ?? 'invalid'}${extra}`);
  }
  return data as Partial;
}

/**
 * Objects merge key by key; arrays and scalars from the child replace the parent's. A leaf fact group (one with
 * its own `source` and no nested groups, such as `whitelist`) replaces the parent's whole, so a parent's source
 * or `unconfirmed` never sticks to facts the child changed.
 */
export function mergeFacts(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over) || isLeafGroup(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = mergeFacts(base[key], value);
  return out;
}

/** Resolves `extends:` chains; `lookup` returns a parent by name. */
export function resolveExtends(
  profile: Partial,
  lookup: (name: string) => Partial | undefined,
  seen: string[] = [],
): Profile {
  const parentName = profile.extends;
  if (!parentName) return profile as unknown as Profile;
  if (seen.includes(parentName))
    throw new PolicyError(`${profile.name}: extends loops through ${[...seen, parentName].join(' -> ')}`);
  const parent = lookup(parentName);
  if (!parent) throw new PolicyError(`${profile.name}: extends unknown profile '${parentName}'`);
  const base = resolveExtends(parent, lookup, [...seen, profile.name]);
  const { $schema: _ignored, ...own } = profile;
  return { ...(mergeFacts(base, own) as Profile), extends: parentName };
}

export function resolveBundledProfiles(
  files: ProfileText[],
  validate: Validator,
  parse: ParseText,
): Record<string, Profile> {
  const byName = new Map<string, Partial>();
  for (const file of files) {
    const profile = parseProfileFile(file, validate, parse);
    const expected = file.path.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
    if (profile.name !== expected) throw new PolicyError(`${file.path}: /name: must be '${expected}', the file's name`);
    byName.set(profile.name, profile);
  }
  const out: Record<string, Profile> = {};
  for (const profile of byName.values()) {
    const merged = resolveExtends(profile, (n) => byName.get(n));
    // The merged profile must stand on its own: validate it as if it had no extends.
    const { extends: _parent, ...standalone } = merged;
    parseProfileFile({ path: `${profile.name} (merged)`, text: JSON.stringify(standalone) }, validate, JSON.parse);
    out[profile.name] = merged;
  }
  return out;
}

function isLeafGroup(value: Record<string, unknown>): boolean {
  return 'source' in value && !Object.values(value).some(isObject);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
