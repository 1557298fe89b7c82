/** What QEMU's replies to a probe mean: pure, tested on recorded replies (test/fixtures/probe/). */
import type { QmpReply } from './qmp.js';
import type { Json } from './probe-drivers.js';

export type ProbeOutcome = 'allowed' | 'read-only-only' | 'not-whitelisted' | 'unavailable';

// Whitelist and availability messages name the driver (block.c bdrv_open_common,
// bdrv_fill_options, bdrv_find_protocol; QAPI enum rejection in 7.2 and 10.x, and
// "Invalid parameter" from older QAPI visitors). Only the tested driver's name counts: a
// child refused after the parent passed its own check means the parent was allowed.
const NAMED_REFUSALS: { pattern: RegExp; outcome: ProbeOutcome }[] = [
  { pattern: /Driver '([^']*)' is not whitelisted/, outcome: 'not-whitelisted' },
  { pattern: /Driver '([^']*)' can only be used for read-only devices/, outcome: 'read-only-only' },
  { pattern: /Unknown driver:? '([^']*)'/, outcome: 'unavailable' },
  { pattern: /Unknown protocol '([^']*)'/, outcome: 'unavailable' },
  { pattern: /Parameter 'driver' does not accept value '([^']*)'/, outcome: 'unavailable' },
  { pattern: /Invalid parameter '([^']*)'/, outcome: 'unavailable' },
];

/** What one reply to a probe of `driver` means. Success and every later error: allowed. */
export function classifyProbeReply(driver: string, reply: QmpReply): { outcome: ProbeOutcome; detail: string } {
  if (!('error' in reply)) return { outcome: 'allowed', detail: 'opened' };
  const detail = reply.error.desc.trim();
  for (const { pattern, outcome } of NAMED_REFUSALS) {
    if (pattern.exec(detail)?.[1] === driver) return { outcome, detail };
  }
  return { outcome: 'allowed', detail };
}

// QAPI validation (qapi/qobject-input-visitor.c) runs before any block code: such an error says
// nothing about the driver, only that the schema of this QEMU differs from what we sent.
const QAPI_REJECTION =
  /^(Parameter '[^']*' (is missing|is unexpected|does not accept value|expects)|Invalid parameter)/;

export function isQapiRejection(reply: QmpReply): boolean {
  return 'error' in reply && QAPI_REJECTION.test(reply.error.desc);
}

/** HMP prints nothing on success; errors as the message (7.2) or "Error: message" (10.x). */
export function hmpReply(reply: QmpReply): QmpReply {
  if ('error' in reply) return reply;
  const text = typeof reply.return === 'string' ? reply.return.trim().replace(/^Error: /, '') : '';
  return text === '' ? { return: {} } : { error: { class: 'GenericError', desc: text } };
}

/** `a: {b: 1}, c: [x]` as QemuOpts `a.b=1,c.0=x` (commas doubled, booleans on/off). */
export function dottedOptions(options: Json, prefix = ''): string[] {
  return Object.entries(options).flatMap(([key, value]): string[] => {
    const name = `${prefix}${key}`;
    if (Array.isArray(value)) return dottedOptions(Object.fromEntries(value.entries()), `${name}.`);
    if (typeof value === 'object' && value !== null) return dottedOptions(value as Json, `${name}.`);
    const text = typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value);
    return [`${name}=${text.replaceAll(',', ',,')}`];
  });
}
