/**
 * The SARIF 2.1.0 schema as Microsoft's SARIF SDK ships it on npm (@microsoft/jest-sarif: sarif-2.1.0-rtm.5.json,
 * draft-04), compiled with ajv for draft-04 and ajv-formats, so that uri and date-time are checked too.
 * Its `language` pattern is not a valid Unicode-mode regular expression: unicodeRegExp off, as the schema's
 * own (non-Unicode) reading of it.
 */
import { createRequire } from 'node:module';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;
const ajv = new Ajv({ allErrors: true, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

/** [] when the log is valid SARIF 2.1.0; else one line per error. */
export function validateSarif(log: unknown): string[] {
  return validate(log)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
