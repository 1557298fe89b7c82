import { InputError } from '../errors.js';

/** NAME=VALUE as a shell reads it before a command: a name of letters, digits and underscores, not starting with a digit. */
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

export interface CommandEnvironment {
  /** The command itself, from the program on. */
  argv: string[];
  /** Variables the prefix sets; with `env -i` the only ones the command sees. */
  set: Record<string, string>;
  unset: string[];
  clean: boolean;
}

/**
 * `LIBGUESTFS_BACKEND=direct virt-v2v ...` or `env [-i] [-u NAME] NAME=VALUE... guestfish ...`: the environment a
 * command line gives its program, so that it is judged with it, as the shell would run it.
 */
export function splitEnvironment(argv: string[]): CommandEnvironment {
  const out: CommandEnvironment = { argv, set: {}, unset: [], clean: false };
  let i = 0;
  const assign = () => {
    for (let m = ASSIGNMENT.exec(argv[i] ?? ''); m; m = ASSIGNMENT.exec(argv[++i] ?? ''))
      out.set[m[1] ?? ''] = m[2] ?? '';
  };
  assign();
  if (argv[i] === 'env' || argv[i]?.endsWith('/env')) {
    i++;
    for (let word = argv[i]; word?.startsWith('-'); word = argv[++i]) {
      if (word === '-i' || word === '--ignore-environment' || word === '-') out.clean = true;
      else if (word === '-u' || word === '--unset') out.unset.push(argv[++i] ?? '');
      else if (word.startsWith('--unset=')) out.unset.push(word.slice('--unset='.length));
      else if (word === '--') {
        i++;
        break;
      } else
        throw new InputError(`env option ${word} is not understood: give the command with its NAME=VALUE words only`);
    }
    assign();
  }
  return { ...out, argv: argv.slice(i) };
}

/** The environment the command runs with, starting from blockgate's own. */
export function commandEnv(
  split: CommandEnvironment,
  base: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = split.clean ? {} : { ...base };
  for (const name of split.unset) delete env[name];
  return { ...env, ...split.set };
}
