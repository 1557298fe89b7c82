/** Waivers (issue 14): findings accepted for a reason; still reported, no longer counted for the exit status. */
import type { FindingCode } from '../findings/finding.js';

/** The fields that narrow a waiver beyond its code; every one given must match. */
export const NARROWING_FIELDS = ['drive', 'node', 'image', 'driver', 'profile', 'program'] as const;
export type NarrowingField = (typeof NARROWING_FIELDS)[number];

/** Every field of a waiver, in the order policies/waivers.schema.json lists them (a unit test pins the two). */
export const WAIVER_FIELDS = ['code', ...NARROWING_FIELDS, 'reason', 'expires', 'owner'] as const;

export interface Waiver extends Partial<Record<NarrowingField, string>> {
  code: FindingCode;
  reason: string;
  /** YYYY-MM-DD: the last day the waiver applies. */
  expires?: string;
  owner?: string;
  /** Where it was written, for reports and the waiver's own findings. */
  file: string;
  line: number;
}

/** What a waived finding carries: `waived: {reason, expires, file, line}` in JSON. */
export interface Waived {
  reason: string;
  expires?: string;
  owner?: string;
  file: string;
  line: number;
}

/**
 * What a finding is about, for the narrowing fields a finding does not carry itself: only `node` is on a Finding;
 * drive, image path and driver come from the result it belongs to (./facts.ts for check).
 */
export interface FindingFacts {
  drive?: string;
  node?: string;
  image?: string;
  driver?: string;
}
