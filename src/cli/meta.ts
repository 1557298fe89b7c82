/** What blockgate says about itself (--version, SARIF's tool.driver, the man page): read from its package.json. */
import { readFileSync } from 'node:fs';
import type { ToolMeta } from '../report/sarif.js';

/** The package folder: src/cli, dist/cli and dist/bundle all sit two levels below it. */
const ROOT = new URL('../../', import.meta.url);

let meta: (ToolMeta & { description: string }) | undefined;

/**
 * informationUri: the homepage when package.json names one, else the installed package folder. Finding pages
 * are the installed docs/ (package.json "files" ships them), so helpUri always leads to the page of this version.
 */
export function toolMeta(): ToolMeta & { description: string } {
  if (!meta) {
    const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as {
      version: string;
      description: string;
      homepage?: string;
    };
    meta = {
      version: pkg.version,
      description: pkg.description,
      informationUri: pkg.homepage ?? ROOT.href,
      docsBase: ROOT.href,
    };
  }
  return meta;
}
