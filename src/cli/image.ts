import { resolve } from 'node:path';
import type { Profile } from '../model/profile.js';
import { loadProfile } from '../host/profiles.js';
import { judgeImage, newJudgeCache } from '../host/judge-image.js';
import { exitStatus, parseFormat, type FindingsReport } from '../report/format.js';
import { failed, imageRecord, imageSubject, imageText, shown } from '../report/image.js';
import { printResult } from './output.js';

export interface ImageOptions {
  json?: boolean;
  /** Output: text, json, junit, sarif or github. */
  format?: string;
  strict?: boolean;
  profile?: Profile;
  cwd: string;
  /** The format the images are meant to have (-f, --image-format); without it QEMU probes. */
  imageFormat?: string;
  /** Follow backing files, data files and extents outside each image's folder (read them). */
  readOutside?: boolean;
}

/** blockgate image PATH...: each image's chain, what in it is unsafe, and whether the hypervisor opens it read-write. */
export async function runImage(paths: string[], options: ImageOptions): Promise<void> {
  const format = parseFormat(options);
  const profile = options.profile ?? (await loadProfile(undefined));
  const cwd = resolve(options.cwd);
  const cache = newJudgeCache();
  const judged = paths.map((path) =>
    judgeImage(path, cwd, profile, {
      cache,
      ...(options.imageFormat ? { format: options.imageFormat } : {}),
      ...(options.readOutside ? { readOutside: true } : {}),
    }),
  );
  const report = (): FindingsReport => ({
    suite: `blockgate image ${profile.name}`,
    cwd,
    subjects: judged.map((j) => imageSubject(j, options.strict)),
  });
  printResult(format, report, {
    text: (paint) => judged.map((j) => imageText(j, paint)).join('\n\n'),
    json: () =>
      JSON.stringify(
        judged.map((j) => imageRecord(j)),
        null,
        2,
      ),
  });
  process.exitCode = exitStatus(
    judged.some((j) => failed(j)),
    judged.flatMap((j) => shown(j)),
    options.strict,
  );
}
