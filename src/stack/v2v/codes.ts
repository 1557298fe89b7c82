/** Finding codes of the v2v layer; wording in ./catalog.ts, one page each in docs/findings/. */
export const V2V_CODES = [] as const;
