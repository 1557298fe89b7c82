/** Finding codes of the libvirt layer; wording in ./catalog.ts, one page each in docs/findings/. */
export const LIBVIRT_CODES = [] as const;
