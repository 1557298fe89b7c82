/** Errors the user can cause. The CLI prints them as one line and exits with status 2. */
export class InputError extends Error {
  override name = 'InputError';
}

/** A profile file that does not parse or does not match policies/schema.json. */
export class PolicyError extends InputError {
  override name = 'PolicyError';
}
