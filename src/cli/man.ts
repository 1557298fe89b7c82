/**
 * blockgate(1) in roff (man(7) macros), written from the commander tree that --help prints: each command's usage,
 * description, arguments and options in the words of --help (commander's own Help formats the terms and the
 * defaults/choices), then exit status and environment. scripts/build-man.mjs writes it to dist/man/blockgate.1.
 */
import type { Command } from 'commander';

export interface ManMeta {
  version: string;
  description: string;
}

/** Roff text: backslashes escaped, non-ASCII as \[uXXXX] (groff reads ASCII without preconv), no request at line start. */
export function roff(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\e')
    .replace(/[^\x20-\x7e\n]/gu, (c) => `\\[u${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}]`);
  return escaped
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}

/** Option terms: every '-' is a minus (\-), so that they can be copied and searched. */
const term = (text: string) => roff(text).replace(/-/g, '\\-');

/** Each command below `cmd` with the names above it (commander's implicit help command has no parent set). */
function commands(cmd: Command, above: string[]): { cmd: Command; above: string[] }[] {
  const help = cmd.createHelp();
  return help.visibleCommands(cmd).flatMap((c) => [{ cmd: c, above }, ...commands(c, [...above, c.name()])]);
}

function section({ cmd, above }: { cmd: Command; above: string[] }): string[] {
  const help = cmd.createHelp();
  const usage = `${[...above, cmd.name()].join(' ')} ${cmd.usage()}`;
  const lines = [`.SS "${term(usage).replace(/"/g, '\\(dq')}"`, roff(help.commandDescription(cmd))];
  for (const arg of help.visibleArguments(cmd)) {
    lines.push('.TP', `.I ${term(help.argumentTerm(arg))}`, roff(help.argumentDescription(arg) || arg.name()));
  }
  for (const option of help.visibleOptions(cmd)) {
    lines.push('.TP', `.B ${term(help.optionTerm(option))}`, roff(help.optionDescription(option)));
  }
  return lines;
}

export function manPage(program: Command, meta: ManMeta): string {
  const name = program.name();
  const help = program.createHelp();
  return [
    `.TH ${name.toUpperCase()} 1 "" "${name} ${meta.version}" "User Commands"`,
    '.SH NAME',
    `${name} \\- ${roff(program.description())}`,
    '.SH SYNOPSIS',
    `.B ${name}`,
    '.I command',
    '.RI [ options ]',
    '.RI [ arguments ]',
    '.SH DESCRIPTION',
    roff(meta.description),
    '.PP',
    'Global options:',
    ...help
      .visibleOptions(program)
      .flatMap((o) => ['.TP', `.B ${term(help.optionTerm(o))}`, roff(help.optionDescription(o))]),
    '.SH COMMANDS',
    ...commands(program, [name]).flatMap(section),
    '.SH EXIT STATUS',
    '.TP',
    '.B 0',
    'the program would open everything; no differences; the prediction agrees',
    '.TP',
    '.B 1',
    'it would fail, an error finding, drift or disagreement; with \\-\\-strict also a warning finding',
    '.TP',
    '.B 2',
    'bad input (unknown profile or option, malformed profile file, unparseable command line), as one line on standard error',
    '.SH ENVIRONMENT',
    '.TP',
    '.B NO_COLOR',
    'when set and not empty, the text format has no colour (https://no\\-color.org); it wins over FORCE_COLOR',
    '.TP',
    '.B FORCE_COLOR',
    'when set and not empty or 0, the text format is coloured even when standard output is not a terminal',
    '.SH FILES',
    '.TP',
    '.I docs/findings/CODE.md',
    'in the installed package: the page of each finding code (SARIF helpUri)',
    '.SH SEE ALSO',
    '.BR qemu\\-img (1),',
    '.BR virsh (1),',
    '.BR guestfish (1),',
    '.BR virt\\-v2v (1)',
    '',
  ].join('\n');
}
