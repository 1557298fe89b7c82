import type { CatalogEntry } from '../../engine/catalog-entry.js';
import type { LIBVIRT_CODES } from './codes.js';

export const LIBVIRT_CATALOG: Record<(typeof LIBVIRT_CODES)[number], CatalogEntry> = {};
