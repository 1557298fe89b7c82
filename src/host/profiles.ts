import { existsSync, readFileSync } from 'node:fs';
import type { Profile } from '../model/profile.js';
import { InputError } from '../errors.js';
import { parseProfileFile, resolveExtends, type Validator } from '../policy/resolve.js';

let bundled: Record<string, Profile> | undefined;

/** Bundled profiles, merged and validated at build time (scripts/build-policies.mjs). */
export function bundledProfiles(): Record<string, Profile> {
  bundled ??= JSON.parse(readFileSync(new URL('../../dist/policies.json', import.meta.url), 'utf8')) as Record<
    string,
    Profile
  >;
  return bundled;
}

/** A bundled profile by name, a YAML/JSON profile file by path, or (with none) this machine's inspected QEMU. */
export async function loadProfile(nameOrPath: string | undefined): Promise<Profile> {
  if (nameOrPath === undefined) return (await import('./host-profile.js')).hostProfile();
  const profiles = bundledProfiles();
  const named = profiles[nameOrPath];
  if (named) return named;
  if (!existsSync(nameOrPath)) {
    throw new InputError(
      `unknown profile '${nameOrPath}': not a bundled profile (${Object.keys(profiles).sort().join(', ')}) nor a file`,
    );
  }
  const validate = await loadValidator();
  const { parse } = await import('yaml');
  const text = readFileSync(nameOrPath, 'utf8');
  const profile = parseProfileFile({ path: nameOrPath, text }, validate, parse);
  const merged = resolveExtends(
    profile,
    (name) => profiles[name] as unknown as Parameters<typeof resolveExtends>[0] | undefined,
  );
  const { extends: _parent, ...standalone } = merged;
  parseProfileFile(
    { path: `${nameOrPath} (merged with ${profile.extends ?? 'nothing'})`, text: JSON.stringify(standalone) },
    validate,
    JSON.parse,
  );
  return merged;
}

async function loadValidator(): Promise<Validator> {
  const module = (await import(new URL('../../dist/validate-profile.cjs', import.meta.url).href)) as {
    default: Validator;
  };
  return module.default;
}
