/**
 * bash and zsh completion scripts, written from the commander tree (program.ts) so that they offer exactly
 * what --help lists. Values: choices for --format and `completion`, profile names (from `blockgate profiles`,
 * asked at completion time) and files for <name|file>, folders for <dir>, files for <file> and <path>.
 */
import type { Argument, Command, Option } from 'commander';

type Values = { kind: 'words'; words: string[] } | { kind: 'profiles' | 'dirs' | 'files' | 'none' };

/** What a value placeholder takes, read from its name: <name|file> and <profile-a> are profiles, <dir> folders. */
function valuesOf(name: string, choices: readonly string[] | undefined): Values {
  if (choices && choices.length > 0) return { kind: 'words', words: [...choices] };
  if (/^profile|^name\|file$/.test(name)) return { kind: 'profiles' };
  if (name === 'dir') return { kind: 'dirs' };
  if (/file|path|command/.test(name)) return { kind: 'files' };
  return { kind: 'none' };
}

/** The name between < > or [ ] of an option's flags: "--profile <name|file>" -> "name|file". */
function placeholder(option: Option): string | undefined {
  return /[<[]([^>\]]+?)(\.\.\.)?[>\]]/.exec(option.flags)?.[1];
}

const optionValues = (o: Option): Values | undefined => {
  const name = placeholder(o);
  return name === undefined ? undefined : valuesOf(name, o.argChoices);
};
const argumentValues = (a: Argument): Values => valuesOf(a.name(), a.argChoices);

interface Node {
  path: string[];
  cmd: Command;
  options: Option[];
  children: Node[];
  /** What the first argument takes; for commander's own `help [command]`, the names of its sibling commands. */
  first?: Values;
}

function tree(cmd: Command, path: string[] = [], siblings: string[] = []): Node {
  const help = cmd.createHelp();
  const names = help
    .visibleCommands(cmd)
    .map((c) => c.name())
    .filter((n) => n !== 'help');
  const arg = cmd.registeredArguments[0];
  const first: Values | undefined =
    cmd.name() === 'help' && path.length > 0
      ? { kind: 'words', words: siblings }
      : arg
        ? argumentValues(arg)
        : undefined;
  return {
    path,
    cmd,
    options: help.visibleOptions(cmd),
    ...(first ? { first } : {}),
    children: help.visibleCommands(cmd).map((c) => tree(c, [...path, c.name()], names)),
  };
}

const flagsOf = (o: Option) => [o.short, o.long].filter((f): f is string => !!f);

export function completionScript(program: Command, shell: 'bash' | 'zsh'): string {
  const root = tree(program);
  return shell === 'bash' ? bashScript(program.name(), root) : zshScript(program.name(), root);
}

// ---- bash ---------------------------------------------------------------------------------------------------

function bashValues(v: Values): string {
  return v.kind === 'words' ? `__blockgate_values words '${v.words.join(' ')}'` : `__blockgate_values ${v.kind}`;
}

function bashBranch(node: Node): string[] {
  const withValues = node.options.flatMap((o) => {
    const v = optionValues(o);
    return v ? [`        ${flagsOf(o).join('|')}) ${bashValues(v)}; return ;;`] : [];
  });
  const words = node.options.flatMap(flagsOf).join(' ');
  const positional =
    node.children.length > 0
      ? `__blockgate_values words '${node.children.map((c) => c.cmd.name()).join(' ')}'`
      : node.first
        ? bashValues(node.first)
        : ':';
  return [
    `    '${node.path.join(' ')}')`,
    ...(withValues.length > 0 ? ['      case $prev in', ...withValues, '      esac'] : []),
    `      if [[ $cur == -* ]]; then __blockgate_values words '${words}'; else ${positional}; fi`,
    '      ;;',
  ];
}

function all(node: Node): Node[] {
  return [node, ...node.children.flatMap(all)];
}

function bashScript(name: string, root: Node): string {
  const nodes = all(root);
  const pairs = nodes
    .filter((n) => n.path.length > 0)
    .map((n) => `'${n.path.slice(0, -1).join(' ')}:${n.path.at(-1)}'`);
  return `# bash completion for ${name}: eval "$(${name} completion bash)", or save it as
# /usr/share/bash-completion/completions/${name}. Generated from ${name}'s own command definitions.

__blockgate_values() {
  local word=\${COMP_WORDS[0]}
  case $1 in
    words) mapfile -t COMPREPLY < <(compgen -W "$2" -- "$cur") ;;
    profiles)
      # Bundled profile names, asked of the same ${name}; a profile file is a file name.
      mapfile -t COMPREPLY < <(compgen -W "$("$word" profiles 2>/dev/null | cut -d' ' -f1)" -- "$cur"; compgen -f -- "$cur")
      compopt -o filenames 2>/dev/null ;;
    dirs) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); compopt -o filenames 2>/dev/null ;;
    files) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); compopt -o filenames 2>/dev/null ;;
    *) COMPREPLY=() ;;
  esac
}

_blockgate() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local path='' w i
  COMPREPLY=()
  # The command path (profiles show): words that name a subcommand of the path so far; after -- come files.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if [[ $w == -- ]]; then __blockgate_values files; return; fi
    case "$path:$w" in
      ${pairs.join('|')}) path=\${path:+$path }$w ;;
    esac
  done
  case $path in
${nodes.flatMap(bashBranch).join('\n')}
  esac
}

complete -F _blockgate ${name}
`;
}

// ---- zsh ----------------------------------------------------------------------------------------------------

const q = (s: string) => s.replace(/'/g, `'\\''`);
/** Text inside [...] of an _arguments spec: brackets escaped. */
const bracket = (s: string) => q(s.replace(/([[\]\\])/g, '\\$1'));
/** A message field of a spec: no colons. */
const message = (s: string) => q(s).replace(/:/g, ' ');

function zshAction(v: Values): string {
  switch (v.kind) {
    case 'words':
      return `(${v.words.join(' ')})`;
    case 'profiles':
      return '__blockgate_profiles';
    case 'dirs':
      return '_files -/';
    case 'files':
      return '_files';
    case 'none':
      return ' ';
  }
}

function zshOption(o: Option): string {
  const flags = flagsOf(o);
  const v = optionValues(o);
  const exclusive = flags.length > 1 ? `(${flags.join(' ')})` : '';
  const value = v ? `:${message(placeholder(o) ?? 'value')}:${zshAction(v)}` : '';
  const spec = `[${bracket(o.description)}]${value}`;
  return flags.length > 1 ? `'${exclusive}'{${flags.join(',')}}'${spec}'` : `'${flags[0]}${spec}'`;
}

function zshArgument(a: Argument, i: number): string {
  const v = argumentValues(a);
  return `'${a.variadic ? '*' : `${i + 1}`}:${message(a.name())}:${zshAction(v)}'`;
}

const fn = (node: Node) => `_blockgate${node.path.map((p) => `_${p.replace(/\W/g, '_')}`).join('')}`;

function zshFunction(node: Node): string[] {
  const options = node.options.map(zshOption);
  if (node.children.length === 0) {
    const args = node.cmd.registeredArguments.map((a, i) =>
      i === 0 && node.first
        ? `'${a.variadic ? '*' : '1'}:${message(a.name())}:${zshAction(node.first)}'`
        : zshArgument(a, i),
    );
    return [
      `${fn(node)}() {`,
      `  _arguments -s \\`,
      ...[...options, ...args].map((s) => `    ${s} \\`),
      '    && return',
      '}',
      '',
    ];
  }
  const described = node.children.map(
    (c) => `    '${message(c.cmd.name())}:${q(c.cmd.description().replace(/:/g, '\\:'))}'`,
  );
  return [
    `${fn(node)}() {`,
    '  local curcontext="$curcontext" state line ret=1',
    // Nested _arguments shift $words: the command as typed (./bin/blockgate too) is kept for profile names.
    ...(node.path.length === 0 ? ['  __blockgate_cmd=$words[1]'] : []),
    '  _arguments -C \\',
    ...options.map((s) => `    ${s} \\`),
    `    '1: :->command' \\`,
    `    '*:: :->args' && return`,
    '  case $state in',
    '    command)',
    '      local -a commands',
    '      commands=(',
    ...described,
    '      )',
    `      _describe -t commands '${node.path.length === 0 ? 'blockgate' : node.path.join(' ')} command' commands && ret=0 ;;`,
    '    args)',
    '      case $line[1] in',
    ...node.children.map((c) => `        ${c.cmd.name()}) ${fn(c)} && ret=0 ;;`),
    '      esac ;;',
    '  esac',
    '  return ret',
    '}',
    '',
  ];
}

function zshScript(name: string, root: Node): string {
  return `#compdef ${name}
# zsh completion for ${name}: save it as _${name} in a folder of $fpath, or eval "$(${name} completion zsh)"
# after compinit. Generated from ${name}'s own command definitions.

__blockgate_profiles() {
  local -a names
  names=(\${(f)"$(\${__blockgate_cmd:-${name}} profiles 2>/dev/null | cut -d' ' -f1)"})
  _alternative "profiles:bundled profile:(\${names[*]})" 'files:profile file:_files'
}

${all(root).flatMap(zshFunction).join('\n')}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _blockgate "$@"
else
  compdef _blockgate ${name}
fi
`;
}
