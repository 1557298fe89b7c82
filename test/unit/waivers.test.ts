import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.js';
import type { Finding } from '../../src/findings/finding.js';
import { factsReader } from '../../src/host/facts.js';
import { bundledProfiles } from '../../src/host/profiles.js';
import { planCommand } from '../../src/plan/plan.js';
import { applyWaivers, counted } from '../../src/waivers/apply.js';
import { checkFacts, waiveCheck } from '../../src/waivers/check.js';
import { parseProfileWaivers, parseWaiverFile } from '../../src/waivers/parse.js';
import { WAIVER_FIELDS, type Waiver } from '../../src/waivers/waiver.js';

const schema = JSON.parse(readFileSync(resolve('policies/waivers.schema.json'), 'utf8'));
// As scripts/build-policies.mjs compiles the profile schema.
const validate = new Ajv({ allErrors: true }).compile(schema);
const TODAY = '2025-06-30';

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;
const parse = (...lines: string[]) => parseWaiverFile(yaml(...lines), 'w.yaml', validate);
const errorOf = (...lines: string[]) => {
  try {
    parse(...lines);
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  throw new Error('parsed without an error');
};

const waiver = (fields: Partial<Waiver>): Waiver => ({
  code: 'driver-read-only-only',
  reason: 'r',
  file: 'w.yaml',
  line: 2,
  ...fields,
});
const finding = (fields: Partial<Finding> = {}): Finding => ({
  code: 'driver-read-only-only',
  severity: 'error',
  layer: 'whitelist',
  node: 'ide0-hd0',
  args: { driver: 'vpc' },
  ...fields,
});
const waivedBy = (w: Partial<Waiver>, f: Finding = finding(), options: object = {}) =>
  applyWaivers([f], [waiver(w)], { today: TODAY, ...options }).findings[0]?.waived !== undefined;

describe('waiver files', () => {
  it('parse to typed waivers, each with the line of its item', () => {
    const waivers = parse(
      '# accepted for the migration',
      'waivers:',
      '  - code: driver-read-only-only',
      '    drive: ide0-hd0',
      '    reason: converted in June',
      '    expires: 2025-06-30',
      '    owner: storage-team',
      '  - code: format-probed',
      "    image: 'images/**/*.vpc'",
      '    reason: legacy disks',
    );
    expect(waivers).toEqual([
      {
        code: 'driver-read-only-only',
        drive: 'ide0-hd0',
        reason: 'converted in June',
        expires: '2025-06-30',
        owner: 'storage-team',
        file: 'w.yaml',
        line: 3,
      },
      { code: 'format-probed', image: 'images/**/*.vpc', reason: 'legacy disks', file: 'w.yaml', line: 8 },
    ]);
  });

  it('take every narrowing field, a $schema key and an empty list', () => {
    const all = 'drive: d0, node: d0/file, image: a.img, driver: file, profile: rhel-9, program: qemu-kvm';
    expect(parse(`waivers: [{code: file-not-found, reason: r, ${all}}]`)[0]).toMatchObject({
      drive: 'd0',
      node: 'd0/file',
      image: 'a.img',
      driver: 'file',
      profile: 'rhel-9',
      program: 'qemu-kvm',
    });
    expect(parse('$schema: ./node_modules/blockgate/policies/waivers.schema.json', 'waivers: []')).toEqual([]);
  });

  it("inside a profile file's waivers: key parse the same, lines counted in the profile file", () => {
    const list = ['  - code: driver-read-only-only', '    drive: ide0-hd0', '    reason: converted in June'];
    const profile = yaml('name: mine', 'extends: rhel-9', 'description: my stack', 'waivers:', ...list);
    expect(parseProfileWaivers(profile, 'mine.yaml', validate)).toEqual([
      { code: 'driver-read-only-only', drive: 'ide0-hd0', reason: 'converted in June', file: 'mine.yaml', line: 5 },
    ]);
    const own = parseWaiverFile(yaml('waivers:', ...list), 'mine.yaml', validate);
    expect(own).toEqual([{ ...own[0], line: 2 }]);
    expect(parseProfileWaivers(yaml('name: mine', 'extends: rhel-9'), 'mine.yaml', validate)).toEqual([]);
    expect(() => parseProfileWaivers(yaml('name: x', 'waivers:', '  - code: x'), 'p.yaml', validate)).toThrow(
      "p.yaml:3: field 'reason': is required",
    );
  });

  it('list in WAIVER_FIELDS the fields of the schema, in its order', () => {
    expect(Object.keys(schema.definitions.waiver.properties)).toEqual([...WAIVER_FIELDS]);
  });
});

describe('a bad waiver file is one PolicyError line naming the file, the line and the field', () => {
  const head = ['waivers:', '  - code: driver-read-only-only', '    reason: r'];
  it.each([
    [[...head, '    expires: 2025-6-30'], "w.yaml:4: field 'expires': must be a date YYYY-MM-DD"],
    [[...head, '    expires: 30/06/2025'], "w.yaml:4: field 'expires': must be a date YYYY-MM-DD"],
    [[...head, '    expires: 2025-02-30'], "w.yaml:4: field 'expires': '2025-02-30' is not a day of the calendar"],
    [[...head, '    expires: 2025-06-30T10:00:00Z'], "w.yaml:4: field 'expires': must be a date YYYY-MM-DD"],
    [
      [...head, '    drvie: ide0-hd0'],
      `w.yaml:4: field 'drvie': is not a field here (known: ${WAIVER_FIELDS.join(', ')})`,
    ],
    [[...head, '    drive: 0'], "w.yaml:4: field 'drive': must be a string"],
    [[...head, '    owner: ""'], "w.yaml:4: field 'owner': must not be empty"],
    [[...head, '  - code: format-probed'], "w.yaml:4: field 'reason': is required"],
    [[...head, '  - reason: no code'], "w.yaml:4: field 'code': is required"],
    [[...head, '  - code: format-probed', '    reason: ""'], "w.yaml:5: field 'reason': must not be empty"],
    [
      [...head, '  - code: drvier-not-built', '    reason: r'],
      "w.yaml:4: field 'code': unknown finding code 'drvier-not-built' (docs/findings/README.md lists them)",
    ],
    [
      [...head, '  - code: Driver_Not_Built', '    reason: r'],
      "w.yaml:4: field 'code': must be a finding code such as driver-read-only-only",
    ],
    [[...head, '  - format-probed'], "w.yaml:4: field 'waivers': each item must be a mapping"],
    [['waivers:', '  code: format-probed'], "w.yaml:1: field 'waivers': must be a list"],
    [['waivers:'], "w.yaml:1: field 'waivers': must be a list"],
    [['waiver:', '  - code: format-probed'], "w.yaml:1: field 'waiver': is not a field here (known: waivers, $schema)"],
    [['# nothing yet'], "w.yaml:1: must be a mapping with a 'waivers' list"],
    [[...head, '    reason: twice'], 'w.yaml:4: Map keys must be unique'],
    [
      [...head, '    owner: [unclosed'],
      'w.yaml:5: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    [
      [...head, '---', 'waivers: []'],
      'w.yaml:4: Source contains multiple documents; please use YAML.parseAllDocuments()',
    ],
  ])('%j', (lines, message) => {
    expect(errorOf(...lines)).toBe(`PolicyError: ${message}`);
  });
});

describe('applyWaivers: a waiver matches on its exact code and every field it gives', () => {
  it('waives the finding with its reason, expiry, owner, file and line; the finding keeps its severity', () => {
    const w = waiver({ expires: '2025-07-01', owner: 'storage-team', line: 7 });
    const [f] = applyWaivers([finding()], [w], { today: TODAY }).findings;
    expect(f).toEqual({
      ...finding(),
      waived: { reason: 'r', expires: '2025-07-01', owner: 'storage-team', file: 'w.yaml', line: 7 },
    });
  });

  it('code: exactly, never a prefix or another code', () => {
    expect(waivedBy({})).toBe(true);
    expect(waivedBy({ code: 'driver-not-whitelisted' })).toBe(false);
    expect(waivedBy({}, finding({ code: 'driver-read-only-by-nature' }))).toBe(false);
  });

  it('drive: the node id up to its first slash, unless facts say', () => {
    expect(waivedBy({ drive: 'ide0-hd0' }, finding({ node: 'ide0-hd0/file' }))).toBe(true);
    expect(waivedBy({ drive: 'ide0-hd1' }, finding({ node: 'ide0-hd0/file' }))).toBe(false);
    expect(waivedBy({ drive: 'ide0-hd0' }, finding({ node: undefined }))).toBe(false);
    expect(waivedBy({ drive: 'd9' }, finding(), { facts: () => ({ drive: 'd9' }) })).toBe(true);
  });

  it('node: the whole node id', () => {
    expect(waivedBy({ node: 'ide0-hd0/file' }, finding({ node: 'ide0-hd0/file' }))).toBe(true);
    expect(waivedBy({ node: 'ide0-hd0' }, finding({ node: 'ide0-hd0/file' }))).toBe(false);
  });

  it('image: a glob on the whole image path, ./ ignored, hidden folders included', () => {
    const at = (image: string) => ({ facts: () => ({ image }) });
    expect(waivedBy({ image: 'images/**/*.vpc' }, finding(), at('images/old/a.vpc'))).toBe(true);
    expect(waivedBy({ image: 'images/**/*.vpc' }, finding(), at('./images/a.vpc'))).toBe(true);
    expect(waivedBy({ image: '**/*.vpc' }, finding(), at('.cache/a.vpc'))).toBe(true);
    expect(waivedBy({ image: '*.vpc' }, finding(), at('images/a.vpc'))).toBe(false);
    expect(waivedBy({ image: '/srv/{a,b}.vpc' }, finding(), at('/srv/b.vpc'))).toBe(true);
    expect(waivedBy({ image: 'images/*.vpc' }, finding(), at('images/a.qcow2'))).toBe(false);
    expect(waivedBy({ image: '**' }, finding())).toBe(false);
  });

  it("driver: the finding's driver argument, or the node's driver from facts", () => {
    expect(waivedBy({ driver: 'vpc' })).toBe(true);
    expect(waivedBy({ driver: 'vhdx' })).toBe(false);
    expect(waivedBy({ driver: 'file' }, finding({ args: {} }), { facts: () => ({ driver: 'file' }) })).toBe(true);
  });

  it('profile and program: those of the run', () => {
    expect(waivedBy({ profile: 'rhel-7' }, finding(), { profile: 'rhel-7' })).toBe(true);
    expect(waivedBy({ profile: 'rhel-7' }, finding(), { profile: 'rhel-9' })).toBe(false);
    expect(waivedBy({ profile: 'rhel-7' })).toBe(false);
    expect(waivedBy({ program: 'qemu-kvm' }, finding(), { program: 'qemu-kvm' })).toBe(true);
    expect(waivedBy({ program: 'qemu-kvm' }, finding(), { program: 'qemu-img' })).toBe(false);
  });

  it('every field given must match', () => {
    const run = { profile: 'rhel-7', program: 'qemu-kvm' };
    expect(waivedBy({ drive: 'ide0-hd0', driver: 'vpc', profile: 'rhel-7', program: 'qemu-kvm' }, finding(), run)).toBe(
      true,
    );
    expect(waivedBy({ drive: 'ide0-hd0', driver: 'vpc', profile: 'rhel-9' }, finding(), run)).toBe(false);
  });

  it('marks a finding with the first waiver that matches; every waiver that matched is used', () => {
    const broad = waiver({ line: 2 });
    const narrow = waiver({ drive: 'ide0-hd0', line: 5 });
    const applied = applyWaivers([finding()], [broad, narrow], { today: TODAY });
    expect(applied.findings[0]?.waived?.line).toBe(2);
    expect(applied.waiverFindings).toEqual([]);
  });

  it('counted() keeps only the findings that still count for the exit status', () => {
    const other = finding({ code: 'format-probed', severity: 'info' });
    const { findings } = applyWaivers([finding(), other], [waiver({})], { today: TODAY });
    expect(counted(findings)).toEqual([other]);
  });
});

describe('applyWaivers: expiry by the injected date, and stale waivers', () => {
  it('still applies on its expires day', () => {
    expect(waivedBy({ expires: TODAY })).toBe(true);
    expect(applyWaivers([finding()], [waiver({ expires: TODAY })], { today: TODAY }).waiverFindings).toEqual([]);
  });

  it('from the day after, no longer applies and is a warning itself (not also unused)', () => {
    const applied = applyWaivers([finding()], [waiver({ expires: '2025-06-29', reason: 'June' })], { today: TODAY });
    expect(applied.findings).toEqual([finding()]);
    expect(applied.waiverFindings).toEqual([
      {
        code: 'waiver-expired',
        severity: 'warning',
        layer: 'input',
        args: { code: 'driver-read-only-only', file: 'w.yaml', line: '2', reason: 'June', expires: '2025-06-29' },
      },
    ]);
  });

  it('a waiver that matched nothing is an info, an error with strict', () => {
    const unused = waiver({ drive: 'd1', image: '*.vpc' });
    const unusedFinding = (severity: string) => ({
      code: 'waiver-unused',
      severity,
      layer: 'input',
      args: {
        code: 'driver-read-only-only',
        file: 'w.yaml',
        line: '2',
        reason: 'r',
        narrowing: 'drive=d1, image=*.vpc',
      },
    });
    expect(applyWaivers([finding()], [unused], { today: TODAY }).waiverFindings).toEqual([unusedFinding('info')]);
    expect(applyWaivers([], [unused], { today: TODAY, strict: true }).waiverFindings).toEqual([unusedFinding('error')]);
  });

  it('refuses a today that is not YYYY-MM-DD (a bug in the caller, not the user)', () => {
    expect(() => applyWaivers([], [], { today: '30.06.2025' })).toThrow("today must be YYYY-MM-DD, not '30.06.2025'");
  });
});

describe('waivers on a check result', () => {
  const profile = bundledProfiles()['rhel-7']!;
  const result = evaluate(
    planCommand(['qemu-kvm', '-drive', 'file=test.vpc'], profile, factsReader(resolve('examples'))),
    profile,
  );

  it('facts: drive, driver and image path of each finding come from its drive and node', () => {
    const f = result.findings.find((x) => x.code === 'driver-read-only-only')!;
    expect(checkFacts(result)(f)).toEqual({ drive: 'ide0-hd0', driver: 'vpc', image: 'test.vpc' });
  });

  it('marks the finding in the drive and in findings alike, with profile and program of the run', () => {
    const w = waiver({ drive: 'ide0-hd0', image: 'test.vpc', profile: 'rhel-7', program: 'qemu-kvm' });
    const { result: waived, waiverFindings } = waiveCheck(result, [w], { today: TODAY });
    const marked = waived.findings.filter((f) => f.waived);
    expect(marked.map((f) => f.code)).toEqual(['driver-read-only-only']);
    expect(waived.drives[0]?.findings.filter((f) => f.waived)).toEqual(marked);
    expect(waived.drives[0]?.findings).toContain(marked[0]);
    expect(waiverFindings).toEqual([]);
  });
});
