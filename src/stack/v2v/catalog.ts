import type { CatalogEntry } from '../../engine/catalog-entry.js';
import type { V2V_CODES } from './codes.js';

export const V2V_CATALOG: Record<(typeof V2V_CODES)[number], CatalogEntry> = {};
