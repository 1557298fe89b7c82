/** Finding codes of the virt-v2v and nbdkit layers; wording in ./catalog.ts, one page each in docs/findings/. */
export const V2V_CODES = [
  'v2v-input-disabled',
  'v2v-output-disabled',
  'v2v-option-removed',
  'v2v-transport-unknown',
  'v2v-output-format-unsupported',
  'v2v-direct-backend-required',
  'v2v-remote-behind-overlay',
  'v2v-source-over-nbd',
  'v2v-facts-missing',
  'v2v-nbdcopy-missing',
  'nbdkit-plugin-missing',
  'nbdkit-filter-missing',
] as const;

export type V2vCode = (typeof V2V_CODES)[number];
