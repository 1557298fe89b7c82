/** Finding codes of the libguestfs layer; wording in ./catalog.ts, one page each in docs/findings/. */
export const LIBGUESTFS_CODES = [] as const;
