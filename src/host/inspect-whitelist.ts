/**
 * The whitelist group of an inspected profile: the ELF arrays when they were found, else the two
 * `-drive format=help` lines; and whether qemu-img enforces it too. Pure.
 */
import type { QemuWhitelist } from '../model/profile.js';
import type { RecoveredWhitelist } from './elf-whitelist.js';
import type { FormatHelp } from './inspect-parse.js';
import type { InspectObservations } from './inspect-profile.js';

type Sourced<T> = T & { source: string; unconfirmed?: string };

export const cite = (command: string, line: number): string => `\`${command}\` line ${line}`;
const setOf = (names: readonly string[]): Set<string> => new Set(names);
const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean =>
  a.size === b.size && [...a].every((x) => b.has(x));
export const joinNotes = (notes: (string | undefined)[]): string | undefined =>
  notes.filter(Boolean).join('; ') || undefined;

export function withUnconfirmed<T extends object>(
  value: T,
  unconfirmed: string | undefined,
): T & { unconfirmed?: string } {
  return unconfirmed ? { ...value, unconfirmed } : value;
}

/** How the ELF lists disagree with `-drive format=help`, if they do (line 1 = rw ∩ built, line 2 = (rw ∪ ro) ∩ built). */
function disagreement(elf: RecoveredWhitelist, help: FormatHelp, built: ReadonlySet<string>): string | undefined {
  const rw = setOf(elf.rw);
  const any = setOf([...elf.rw, ...elf.ro]);
  const line1 = setOf(help.readWrite.formats);
  const line2 = setOf(help.readOnly.formats);
  if (any.size === 0)
    return sameSet(line1, line2) ? undefined : 'the ELF holds empty lists, yet the two format=help lines differ';
  const problems = [
    ...[...line1].filter((n) => !rw.has(n)).map((n) => `${n} is on format=help line 1 but not in the rw array`),
    ...[...line2].filter((n) => !any.has(n)).map((n) => `${n} is on format=help line 2 but in neither array`),
    ...[...rw]
      .filter((n) => line2.has(n) && !line1.has(n))
      .map((n) => `${n} is in the rw array but only on format=help line 2`),
    ...[...any]
      .filter((n) => built.has(n) && !line2.has(n))
      .map((n) => `${n} is built and whitelisted but not on format=help line 2`),
  ];
  return problems.length ? `the ELF arrays disagree with -drive format=help: ${problems.join(', ')}` : undefined;
}

function whitelistLists(o: InspectObservations, built: ReadonlySet<string>): Sourced<{ rw: string[]; ro: string[] }> {
  const primary = o.systems[0];
  const elf = o.whitelist;
  const help = primary?.formatHelp;
  const helpCite =
    primary && help ? `\`${primary.formatHelpCommand}\` lines ${help.readWrite.line}-${help.readOnly.line}` : undefined;
  if (elf.method !== 'none') {
    const source = `\`${o.elfPath}\` ELF: ${elf.detail}${helpCite ? `; checked against ${helpCite}` : ''}`;
    return withUnconfirmed(
      { rw: elf.rw, ro: elf.ro, source },
      help ? disagreement(elf, help, built) : 'no qemu-system binary to check the arrays against',
    );
  }
  if (!help || !helpCite) {
    return {
      rw: [],
      ro: [],
      source: `\`${o.elfPath}\` ELF: ${elf.detail}`,
      unconfirmed: 'no qemu-system binary was inspected, so -drive format=help could not tell',
    };
  }
  const line1 = setOf(help.readWrite.formats);
  const line2 = setOf(help.readOnly.formats);
  const notBuilt = `whitelisted drivers that are not built are missing (ELF: ${elf.detail})`;
  if (!sameSet(line1, line2)) {
    const ro = help.readOnly.formats.filter((n) => !line1.has(n));
    return {
      rw: help.readWrite.formats,
      ro,
      source: `${helpCite} (line 1 = rw, line 2 = rw + ro)`,
      unconfirmed: `format=help lists only drivers this build has: ${notBuilt}`,
    };
  }
  const refused = o.img?.help.formats.filter((n) => !line1.has(n)) ?? [];
  if (refused.length > 0 && o.img) {
    const source = `${helpCite} are identical but leave out ${refused.slice(0, 3).join(', ')} that ${cite(o.img.helpCommand, o.img.help.line)} lists`;
    return {
      rw: help.readWrite.formats,
      ro: [],
      source,
      unconfirmed: `a read-write-only whitelist read from format=help: ${notBuilt}`,
    };
  }
  return {
    rw: [],
    ro: [],
    source: `${helpCite} list the same ${line1.size} drivers, and nothing else is listed anywhere: no whitelist (ELF: ${elf.detail})`,
  };
}

function toolsEnforce(o: InspectObservations, lists: { rw: string[]; ro: string[] }): Sourced<{ tools: boolean }> {
  if (lists.rw.length === 0 && lists.ro.length === 0)
    return { tools: false, source: 'no whitelist, nothing to enforce' };
  const img = o.img;
  if (!img)
    return {
      tools: false,
      source: 'no qemu-img found',
      unconfirmed: 'no qemu-img was inspected: whether the tools enforce the whitelist is not known',
    };
  const primary = o.systems[0];
  const rw = setOf(primary ? primary.formatHelp.readWrite.formats : lists.rw);
  const outside = img.help.formats.filter((n) => !rw.has(n));
  const where = cite(img.helpCommand, img.help.line);
  if (outside.length === 0)
    return {
      tools: true,
      source: `${where} lists only read-write whitelisted drivers (bdrv_iterate_format filters it under CONFIG_BDRV_WHITELIST_TOOLS)`,
    };
  return {
    tools: false,
    source: `${where} lists ${outside.slice(0, 3).join(', ')}, which the whitelist does not allow read-write: qemu-img does not filter`,
  };
}

export function whitelistFacts(o: InspectObservations, built: ReadonlySet<string>): QemuWhitelist {
  const lists = whitelistLists(o, built);
  const tools = toolsEnforce(o, lists);
  const unconfirmed = joinNotes([lists.unconfirmed, tools.unconfirmed]);
  return withUnconfirmed(
    { rw: lists.rw, ro: lists.ro, tools: tools.tools, source: `${lists.source}. Tools: ${tools.source}` },
    unconfirmed,
  );
}
