/** The probe could not run at all (no QEMU, QMP never came up): bad input, not a finding. */
export class ProbeError extends Error {
  override name = 'ProbeError';
}
