import { expect } from 'vitest';
import type { ImageFacts, ProbeFormat } from '../../src/model/image.js';
import type { CheckResult } from '../../src/model/result.js';
import { bundledProfiles } from '../../src/host/profiles.js';
import { planCommand } from '../../src/plan/plan.js';
import { evaluate } from '../../src/engine/evaluate.js';

/** A file on the pretend host: its probed format and header fields. */
export function image(
  filename: string,
  format: ProbeFormat,
  header: Partial<NonNullable<ImageFacts['header']>> = {},
): ImageFacts {
  const probes =
    format === 'raw'
      ? [{ format, score: 1 }]
      : [
          { format, score: 100 },
          { format: 'raw' as const, score: 1 },
        ];
  return { filename, exists: true, kind: 'file', size: 1 << 20, probes, header: { format, notes: [], ...header } };
}

/** Splits a one-line command as a shell would for these tests (no quoting needed in scenarios). */
export function check(profile: string, command: string, files: ImageFacts[] = []): CheckResult {
  const p = bundledProfiles()[profile];
  if (!p) throw new Error(`no bundled profile ${profile}`);
  const byName = new Map(files.map((f) => [f.filename, f]));
  const facts = (name: string, literal?: boolean) =>
    byName.get(name) ??
    (!literal && (name.includes('://') || name.startsWith('json:')) ? undefined : { filename: name, exists: false });
  return evaluate(planCommand(command.split(' '), p, facts), p);
}

/** One-line scenarios: expectOpen('rhel-7', 'qemu-kvm -drive file=test.vpc', [image(...)]).toFail('...'). */
export function expectOpen(profile: string, command: string, files: ImageFacts[] = []) {
  const result = check(profile, command, files);
  return {
    result,
    toFail(message: string) {
      expect(result.verdict).toBe('fails');
      expect(result.messages.at(-1)).toBe(message);
    },
    toOpen() {
      expect(result.messages.filter((m) => !m.startsWith('WARNING') && !m.startsWith(' '))).toEqual([]);
      expect(result.verdict).toBe('opens');
    },
    toOpenReadOnly() {
      expect(result.verdict).toBe('opens-read-only');
    },
    toFind(code: string) {
      expect(result.findings.map((f) => f.code)).toContain(code);
    },
  };
}
