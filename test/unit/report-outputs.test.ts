import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import * as core from '@actions/core';
import { bundledProfiles } from '../../src/host/profiles.js';
import { factsReader } from '../../src/host/facts.js';
import { planCommand } from '../../src/plan/plan.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { evaluateStack } from '../../src/engine/stack.js';
import { checkReport, stackReport } from '../../src/report/subjects.js';
import { exitStatus, parseFormat, type FindingsReport } from '../../src/report/format.js';
import { githubCommands } from '../../src/report/github.js';
import { sarifLog } from '../../src/report/sarif.js';
import { findingsJunit } from '../../src/report/junit.js';
import { paintFor } from '../../src/report/paint.js';
import { validateSarif } from '../support/sarif.js';

const require = createRequire(import.meta.url);
const { parse } = require('test-results-parser') as typeof import('test-results-parser');
const EXAMPLES = resolve('examples');
const META = { version: '0.1.0', informationUri: 'file:///opt/blockgate/', docsBase: 'file:///opt/blockgate/' };

function rhel7Check(args: string[]) {
  const profile = bundledProfiles()['rhel-7']!;
  return evaluate(planCommand(['qemu-kvm', ...args], profile, factsReader(EXAMPLES)), profile);
}

/** Every character GitHub's command syntax and SARIF URIs care about, in a file name and a message. */
const HOSTILE: FindingsReport = {
  suite: 'blockgate image rhel-9',
  cwd: '/srv/images',
  subjects: [
    {
      name: 'a,b:c 100%.qcow2',
      kind: 'image',
      file: 'a,b:c 100%.qcow2',
      failed: true,
      issues: [
        {
          code: 'backing-absolute',
          severity: 'error',
          title: 'Backing: absolute, 50%',
          message: "line one\r\nline two: 'x', 100% sure",
          fix: 'a fix',
          docs: 'docs/findings/backing-absolute.md',
        },
        {
          code: 'image-format-probed',
          severity: 'warning',
          title: 'Probed',
          message: 'w',
          docs: 'docs/findings/image-format-probed.md',
          file: '/abs/dir#1/x?.img',
        },
        {
          code: 'format-probed',
          severity: 'info',
          title: 'Info',
          message: 'i',
          docs: 'docs/findings/format-probed.md',
        },
      ],
    },
  ],
};

describe('--format selection', () => {
  it('--json is --format json; both at once must agree; unknown and unfit formats are input errors', () => {
    expect(parseFormat({ json: true })).toBe('json');
    expect(parseFormat({ json: true, format: 'json' })).toBe('json');
    expect(parseFormat({})).toBe('text');
    expect(() => parseFormat({ json: true, format: 'sarif' })).toThrow(/--json and --format sarif contradict/);
    expect(() => parseFormat({ format: 'xml' })).toThrow(
      /^unknown --format 'xml': use text, json, junit, sarif or github$/,
    );
    expect(() => parseFormat({ format: 'sarif' }, ['text', 'json', 'junit', 'github'])).toThrow(/does not fit/);
  });
  it('--strict makes a warning fail, never an info', () => {
    expect(exitStatus(false, [{ severity: 'warning' }], false)).toBe(0);
    expect(exitStatus(false, [{ severity: 'warning' }], true)).toBe(1);
    expect(exitStatus(false, [{ severity: 'info' }], true)).toBe(0);
    expect(exitStatus(true, [], false)).toBe(1);
  });
});

describe('github workflow commands', () => {
  afterEach(() => vi.restoreAllMocks());
  /** What @actions/core itself writes for the same annotation. */
  function actionsCore(
    severity: 'error' | 'warning' | 'notice',
    message: string,
    properties: core.AnnotationProperties,
  ): string {
    let written = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written += String(chunk);
      return true;
    });
    ({ error: core.error, warning: core.warning, notice: core.notice })[severity](message, properties);
    vi.restoreAllMocks();
    return written.replace(/\n$/, '');
  }
  it('escape %, CR, LF and, in properties, : and , exactly as @actions/core does', () => {
    const lines = githubCommands(HOSTILE).split('\n');
    const [error, warning, notice] = HOSTILE.subjects[0]!.issues;
    expect(lines[0]).toBe(
      actionsCore('error', `a,b:c 100%.qcow2: ${error!.message}\nfix: a fix\nsee: docs/findings/backing-absolute.md`, {
        title: 'Backing: absolute, 50% (backing-absolute)',
        file: 'a,b:c 100%.qcow2',
      }),
    );
    expect(lines[1]).toBe(
      actionsCore('warning', 'a,b:c 100%.qcow2: w\nsee: docs/findings/image-format-probed.md', {
        title: 'Probed (image-format-probed)',
        file: '/abs/dir#1/x?.img',
      }),
    );
    expect(lines[2]).toBe(
      actionsCore('notice', 'a,b:c 100%.qcow2: i\nsee: docs/findings/format-probed.md', {
        title: 'Info (format-probed)',
        file: 'a,b:c 100%.qcow2',
      }),
    );
    expect(lines).toHaveLength(3);
    expect(warning && notice).toBeTruthy();
  });
  it('a report with no findings prints nothing', () => {
    expect(
      githubCommands({ suite: 's', cwd: '/', subjects: [{ name: 'd', kind: 'drive', issues: [], failed: false }] }),
    ).toBe('');
  });
});

describe('SARIF 2.1.0', () => {
  it('the rhel-7 vpc case validates against the SARIF schema: one rule per code, levels, the image as a location', () => {
    const log = JSON.parse(sarifLog(checkReport(rhel7Check(['-drive', 'file=test.vpc']), EXAMPLES), META));
    expect(validateSarif(log)).toEqual([]);
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(['driver-read-only-only', 'format-probed']);
    expect(run.tool.driver.rules[0]).toMatchObject({
      shortDescription: { text: 'Driver allowed read-only only' },
      helpUri: 'file:///opt/blockgate/docs/findings/driver-read-only-only.md',
    });
    expect(run.results.map((r: { level: string }) => r.level)).toEqual(['error', 'note']);
    expect(run.results[0].locations[0]).toEqual({
      physicalLocation: { artifactLocation: { uri: 'test.vpc', uriBaseId: 'CWD' } },
      logicalLocations: [{ name: 'ide0-hd0', fullyQualifiedName: '-drive file=test.vpc > ide0-hd0', kind: 'object' }],
    });
    expect(run.originalUriBaseIds.CWD.uri).toBe(`file://${EXAMPLES}/`);
  });
  it('file names that are not URIs are percent-encoded, absolute ones become file: URIs, and the log still validates', () => {
    const log = JSON.parse(sarifLog(HOSTILE, META));
    expect(validateSarif(log)).toEqual([]);
    const uris = log.runs[0].results.map(
      (r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
        r.locations[0]!.physicalLocation.artifactLocation.uri,
    );
    expect(uris).toEqual(['a%2Cb%3Ac%20100%25.qcow2', 'file:///abs/dir%231/x%3F.img', 'a%2Cb%3Ac%20100%25.qcow2']);
  });
  it('the schema check is real: a level SARIF does not know is rejected', () => {
    const log = JSON.parse(sarifLog(HOSTILE, META));
    log.runs[0].results[0].level = 'fatal';
    expect(validateSarif(log).join('\n')).toMatch(/level/);
  });
  it('a pipeline (stack) result: steps are logical locations', () => {
    const profile = bundledProfiles()['rhel-7']!;
    const qemu = planCommand(['qemu-kvm', '-drive', 'file=test.vpc'], profile, factsReader(EXAMPLES));
    const result = evaluateStack(
      { tool: 'libvirt', steps: [{ id: 'libvirt', program: 'libvirtd', summary: 'starts qemu', findings: [], qemu }] },
      profile,
    );
    const log = JSON.parse(sarifLog(stackReport(result, EXAMPLES, false, 'guest.xml'), META));
    expect(validateSarif(log)).toEqual([]);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('guest.xml');
    expect(log.runs[0].results[0].locations[0].logicalLocations[0].fullyQualifiedName).toBe('libvirt > ide0-hd0');
  });
});

describe('JUnit, read back by test-results-parser', () => {
  function parsed(xml: string) {
    const file = join(mkdtempSync(join(tmpdir(), 'blockgate-junit-')), 'r.xml');
    writeFileSync(file, xml);
    return parse({ type: 'junit', files: [file] });
  }
  it('one test case per drive, failed when the drive fails; a warning fails it only with --strict', () => {
    const two = rhel7Check(['-drive', 'file=test.vpc', '-drive', 'file=test.vpc,readonly=on,if=virtio']);
    const r = parsed(findingsJunit(checkReport(two, EXAMPLES)));
    expect(r.total).toBe(2);
    expect(r.failed).toBe(1);
    const cases = r.suites[0]!.cases;
    expect(cases.map((c) => c.name)).toEqual(['-drive file=test.vpc', '-drive file=test.vpc,readonly=on,if=virtio']);
    expect(cases[0]!.failure).toBe('driver-read-only-only: Driver allowed read-only only');
    const hostile = parsed(findingsJunit(HOSTILE));
    expect(hostile.suites[0]!.cases[0]!.name).toBe('a,b:c 100%.qcow2');
    expect(hostile.failed).toBe(1);
  });
});

describe('colour', () => {
  it('a terminal gets colour unless NO_COLOR; a pipe only with FORCE_COLOR; NO_COLOR wins; TERM=dumb has none', () => {
    const red = (tty: boolean, env: Record<string, string>) => paintFor({ isTTY: tty }, env).red('x') !== 'x';
    expect(red(true, {})).toBe(true);
    expect(red(true, { NO_COLOR: '1' })).toBe(false);
    expect(red(true, { NO_COLOR: '' })).toBe(true);
    expect(red(true, { TERM: 'dumb' })).toBe(false);
    expect(red(false, {})).toBe(false);
    expect(red(false, { FORCE_COLOR: '1' })).toBe(true);
    expect(red(false, { FORCE_COLOR: '0' })).toBe(false);
    expect(red(false, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
  });
});
