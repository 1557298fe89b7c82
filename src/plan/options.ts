import { InputError } from '../errors.js';

/** A block node's options as QEMU sees them after flattening: dotted keys become nested objects. */
export type OptionValue = string | number | boolean | null | OptionTree | OptionValue[];
export interface OptionTree {
  [key: string]: OptionValue;
}

/**
 * Splits QemuOpts / keyval text (`a=1,b.c=x,,y`) into pairs. `,,` is an escaped comma.
 * A bare key means `key=on`, as QemuOpts reads flags.
 */
export function splitOptions(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  let i = 0;
  while (i < text.length) {
    let key = '';
    while (i < text.length && text[i] !== '=' && text[i] !== ',') key += text[i++];
    if (text[i] !== '=') {
      pairs.push([key, 'on']);
      i++;
      continue;
    }
    i++;
    let value = '';
    for (; i < text.length; i++) {
      if (text[i] === ',') {
        if (text[i + 1] !== ',') break;
        i++;
      }
      value += text[i];
    }
    i++;
    pairs.push([key, value]);
  }
  return pairs;
}

/** Builds the nested tree `bdrv_open` sees from dotted keys; a plain value and a dotted child of the same key merge as `filename`. */
export function nestOptions(pairs: Iterable<[string, OptionValue]>): OptionTree {
  const root: OptionTree = {};
  for (const [key, value] of pairs) setPath(root, key.split('.'), value);
  return root;
}

function setPath(tree: OptionTree, path: string[], value: OptionValue): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    const existing = tree[head];
    if (isTree(existing) && typeof value === 'string') existing['filename'] ??= value;
    else tree[head] = value;
    return;
  }
  let child = tree[head];
  if (typeof child === 'string') child = { filename: child };
  if (!isTree(child)) child = {};
  tree[head] = child;
  setPath(child, rest, value);
}

/** Flattens JSON to dotted pairs as qdict_flatten does for json: filenames and -blockdev JSON: lists become `key.0`, `key.1`. */
export function flattenJson(value: unknown, prefix = ''): [string, OptionValue][] {
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : isTree(value)
      ? Object.entries(value)
      : undefined;
  if (!entries || (entries.length === 0 && prefix)) return [[prefix, value as OptionValue]];
  return entries.flatMap(([k, v]) => flattenJson(v, prefix ? `${prefix}.${k}` : k));
}

export function parseJsonOptions(text: string, where: string): OptionTree {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${where}: not valid JSON: ${(error as Error).message}`);
  }
  if (!isTree(parsed)) throw new InputError(`${where}: expected a JSON object`);
  return nestOptions(flattenJson(parsed));
}

export function isTree(value: unknown): value is OptionTree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** QEMU's boolean spelling: on/off, true/false, yes/no. */
export function optionFlag(value: OptionValue | undefined): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  const text = String(value);
  if (['on', 'true', 'yes', '1'].includes(text)) return true;
  if (['off', 'false', 'no', '0'].includes(text)) return false;
  return undefined;
}

export function optionString(value: OptionValue | undefined): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}
