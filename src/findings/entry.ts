import type { Layer, Severity } from './finding.js';

export type CatalogArgs = Record<string, string>;

/** One finding code: how blockgate usually rates it, where it is decided, and its wording. */
export interface CatalogEntry {
  /** The severity the code usually has; severityNote says when it has another. */
  severity: Severity;
  severityNote?: string;
  layer: Layer;
  layerNote?: string;
  title: string;
  /** One sentence: what happened and why, in the user's terms. */
  explain: (a: CatalogArgs) => string;
  /** What to do about it, as commands where there is one. */
  fix: (a: CatalogArgs) => string;
}
