import type { CatalogEntry, CatalogArgs } from './entry.js';

const waiver = (a: CatalogArgs) => `the waiver of '${a['code']}' at ${a['file']}:${a['line']}`;

/** Codes about the waiver file itself (src/waivers/) and their wording; one page each in docs/findings/. */
export const WAIVER_CATALOG = {
  'waiver-expired': {
    severity: 'warning',
    layer: 'input',
    title: 'Waiver expired',
    explain: (a) =>
      `${waiver(a)} expired on ${a['expires']}, so the findings it waived count again (its reason: ${a['reason']}).`,
    fix: (a) =>
      `fix what '${a['code']}' reports and delete the waiver, or, if it still holds, move expires: past today`,
  },
  'waiver-unused': {
    severity: 'info',
    severityNote: 'error with `--strict`',
    layer: 'input',
    title: 'Waiver matched nothing',
    explain: (a) =>
      `${waiver(a)} matched no finding in this run${a['narrowing'] ? ` (narrowed by ${a['narrowing']})` : ''}.`,
    fix: () =>
      'delete it if the problem is gone; otherwise compare its fields with the finding as reported ' +
      '(code, drive, node, image, driver, profile, program)',
  },
} satisfies Record<string, CatalogEntry>;

export type WaiverCode = keyof typeof WAIVER_CATALOG;
