import { InputError } from '../../errors.js';
import type { ToolSyntax } from './tools.js';

/** One -a (or guestfish -N) as the tool records it: the argument and the --format/--blocksize in force then. */
export interface AddOption {
  option: '-a' | '-N';
  value: string;
  format?: string;
  blocksize?: number;
}

export interface ToolArgs {
  adds: AddOption[];
  domains: string[];
  readOnly: boolean;
  /** Positional arguments: guestfish commands, file names of virt-cat, a mount point. */
  positional: string[];
  /** -i or -m: the tool launches and mounts before anything else. */
  inspects: boolean;
}

/** getopt_long as the tools use it (options anywhere, `--` ends them), with the format/--ro rules of common/options. */
export function parseToolArgs(program: string, args: string[], syntax: ToolSyntax): ToolArgs {
  const out: ToolArgs = { adds: [], domains: [], readOnly: syntax.access === 'ro', positional: [], inspects: false };
  let format: string | undefined;
  let blocksize: number | undefined;
  let formatPending = false;
  const take = (name: string, value: string) => {
    switch (name) {
      case 'a':
      case 'add':
      case 'A':
        out.adds.push({ option: '-a', value, ...(format ? { format } : {}), ...(blocksize ? { blocksize } : {}) });
        formatPending = false;
        return;
      case 'N':
      case 'new':
        out.adds.push({ option: '-N', value });
        return;
      case 'd':
      case 'domain':
      case 'D':
        out.domains.push(value);
        return;
      case 'format':
        // C: an empty --format resets to probing; OCaml: "auto" does.
        format = value === '' || (syntax.family === 'ocaml' && value === 'auto') ? undefined : value;
        formatPending = true;
        return;
      case 'blocksize':
        blocksize = value === '' ? undefined : Number.parseInt(value, 10);
        return;
      case 'r':
      case 'ro':
      case 'n':
      case 'dryrun':
      case 'dry-run':
        if (name.startsWith('r') || syntax.access === 'dry-run') out.readOnly = true;
        return;
      case 'w':
      case 'rw':
        if (out.readOnly && syntax.access === 'switch')
          throw new InputError(`${program}: cannot mix --ro and --rw options`);
        return;
      case 'i':
      case 'inspector':
      case 'm':
      case 'mount':
        out.inspects = true;
        return;
      default:
    }
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      out.positional.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const [name = '', inline] = arg.slice(2).split(/=(.*)/s);
      if (syntax.longOptionalArg.includes(name)) take(name, inline ?? '');
      else if (inline !== undefined) take(name, inline);
      else if (syntax.family === 'c' ? syntax.longWithArg.includes(name) : !syntax.longNoArg.includes(name))
        take(name, next(program, args, ++i, arg));
      else take(name, '');
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j] ?? '';
        if (syntax.shortWithArg.includes(letter)) {
          take(letter, j + 1 < arg.length ? arg.slice(j + 1) : next(program, args, ++i, `-${letter}`));
          break;
        }
        take(letter, '');
      }
    } else {
      out.positional.push(arg);
    }
  }
  if (formatPending && syntax.family === 'c')
    throw new InputError(`${program}: --format parameter must appear before -a parameter`);
  return out;
}

function next(program: string, args: string[], i: number, option: string): string {
  const value = args[i];
  if (value === undefined) throw new InputError(`${program}: option '${option}' requires an argument`);
  return value;
}
