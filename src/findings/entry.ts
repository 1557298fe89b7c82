export type CatalogArgs = Record<string, string>;

/** The wording of one finding code. */
export interface CatalogEntry {
  title: string;
  /** One sentence: what happened and why, in the user's terms. */
  explain: (a: CatalogArgs) => string;
  /** What to do about it, as commands where there is one. */
  fix: (a: CatalogArgs) => string;
}
