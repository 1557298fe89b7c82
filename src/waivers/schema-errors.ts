/** ajv's errors for policies/waivers.schema.json as one line a user can act on: where, which field, what to write. */
import { WAIVER_FIELDS } from './waiver.js';

export interface SchemaError {
  instancePath: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** ajv's validate function shape (as src/policy/resolve.ts has it), so no ajv is loaded to read a waiver file. */
export interface Validator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

export type Path = (string | number)[];

/** `path` is where the line comes from; `field` is what the message names. */
export interface Problem {
  path: Path;
  /** A field that is not in the schema: on the same line, the likeliest cause of the other errors there. */
  unknownField?: boolean;
  field?: string;
  message: string;
}

const TYPE_WORDS: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string' };

// The schema's own message for a pattern is the regular expression, which says little to someone writing a date.
const PATTERN_WORDS: Record<string, string> = {
  expires: 'must be a date YYYY-MM-DD',
  code: 'must be a finding code such as driver-read-only-only',
};

export function problemOf(error: SchemaError): Problem {
  const path = pathOf(error.instancePath);
  const last = path.at(-1);
  // A list item has no name of its own: the list's name is the field, the message says it is about its items.
  const name = typeof last === 'number' ? path.at(-2) : last;
  const field = typeof name === 'string' ? name : undefined;
  const inItem = typeof last === 'number' ? 'each item ' : '';
  const named = (key: unknown) => ({ path: [...path, String(key)], field: String(key) });
  switch (error.keyword) {
    case 'required':
      return { path, field: String(error.params?.['missingProperty']), message: 'is required' };
    case 'additionalProperties': {
      const key = error.params?.['additionalProperty'];
      const known = path.length === 0 ? ['waivers', '$schema'] : WAIVER_FIELDS;
      return { ...named(key), unknownField: true, message: `is not a field here (known: ${known.join(', ')})` };
    }
    case 'type': {
      const type = String(error.params?.['type']);
      const words = path.length === 0 ? "a mapping with a 'waivers' list" : (TYPE_WORDS[type] ?? type);
      return { path, ...withField(field), message: `${inItem}must be ${words}` };
    }
    case 'pattern': {
      const words = (field && PATTERN_WORDS[field]) ?? `must match ${String(error.params?.['pattern'])}`;
      return { path, ...withField(field), message: words };
    }
    case 'minLength':
      return { path, ...withField(field), message: 'must not be empty' };
    default:
      return { path, ...withField(field), message: error.message ?? 'is invalid' };
  }
}

function withField(field: string | undefined): { field?: string } {
  return field === undefined ? {} : { field };
}

/** A JSON pointer (RFC 6901) as keys and array indexes. */
function pathOf(pointer: string): Path {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => (/^(0|[1-9][0-9]*)$/.test(part) ? Number(part) : part));
}
