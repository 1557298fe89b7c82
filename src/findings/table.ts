import { CATALOG, docsPath, type FindingCode } from './catalog.js';

const withNote = (value: string, note: string | undefined): string => (note ? `${value} (${note})` : value);

/** The index table of docs/findings/README.md, made from the catalog (scripts/findings-index.mjs writes it). */
export function findingsTable(): string {
  const rows = (Object.keys(CATALOG) as FindingCode[]).map((code) => {
    const e = CATALOG[code];
    const page = docsPath(code).replace('docs/findings/', '');
    const cells = [`\`${code}\``, withNote(e.severity, e.severityNote), withNote(e.layer, e.layerNote), e.title];
    return `| ${cells.join(' | ')} | [${page}](${page}) |`;
  });
  return ['| code | severity | layer | title | page |', '|---|---|---|---|---|', ...rows].join('\n');
}
