import type { CatalogEntry } from '../../engine/catalog-entry.js';
import type { LIBGUESTFS_CODES } from './codes.js';

export const LIBGUESTFS_CATALOG: Record<(typeof LIBGUESTFS_CODES)[number], CatalogEntry> = {};
