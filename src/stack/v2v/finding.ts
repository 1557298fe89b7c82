import type { Finding, Layer, Severity } from '../../findings/finding.js';
import type { V2vCode } from '../../findings/v2v-catalog.js';

export function finding(
  code: V2vCode,
  severity: Severity,
  args: Record<string, string>,
  layer: Layer = 'virt-v2v',
): Finding {
  return { code, severity, layer, args };
}

/** What one check found: its finding, and what virt-v2v prints when the check stops it (when that is known exactly). */
export interface Refusal {
  finding: Finding;
  message?: string[];
}
