/**
 * Per-program option syntax, from the getopt strings in qemu 7.2 qemu-img.c / qemu-io.c / qemu-nbd.c:
 * short options listed take an argument, long options in LONG_WITH_ARG take one too.
 */
export interface Syntax {
  shortWithArg: string;
}

export const IMG_SUBCOMMANDS: Record<string, Syntax> = {
  info: { shortWithArg: 'f' },
  check: { shortWithArg: 'frT' },
  convert: { shortWithArg: 'fOBolSmtTrx' },
  create: { shortWithArg: 'Fbfo' },
  rebase: { shortWithArg: 'fFbtT' },
  commit: { shortWithArg: 'ftbr' },
  resize: { shortWithArg: 'f' },
  snapshot: { shortWithArg: 'acdf' },
  amend: { shortWithArg: 'oft' },
  map: { shortWithArg: 'f' },
  measure: { shortWithArg: 'fOol' },
  compare: { shortWithArg: 'fFT' },
  dd: { shortWithArg: 'fO' },
  bench: { shortWithArg: 'cdfoSsti' },
  bitmap: { shortWithArg: 'bfFg' },
};

export const IO_SYNTAX: Syntax = { shortWithArg: 'cftTdi' };
export const NBD_SYNTAX: Syntax = { shortWithArg: 'pobkexDfclTBI' };

const LONG_WITH_ARG = new Set([
  'object',
  'output',
  'size',
  'start-offset',
  'max-length',
  'preallocation',
  'merge',
  'granularity',
  'cache',
  'aio',
  'discard',
  'detect-zeroes',
  'tls-creds',
  'tls-authz',
  'pid-file',
  'load-snapshot',
  'bitmap',
  'port',
  'bind',
  'socket',
  'offset',
  'export-name',
  'description',
  'format',
  'connect',
  'shared',
  'trace',
  'handshake-limit',
  'blockdev',
  'nbd-server',
  'export',
  'chardev',
  'monitor',
  'repair',
  'backing',
  'backing-format',
  'target-format',
]);

export interface ParsedToolArgs {
  /** Option name (without dashes) to its values, in order. */
  options: Map<string, string[]>;
  positional: string[];
}

/** getopt_long as the tools use it: `-fqcow2`, `-f qcow2`, `--output=json`, `--output json`, `--` ends options. */
export function parseToolArgs(args: string[], syntax: Syntax): ParsedToolArgs {
  const options = new Map<string, string[]>();
  const positional: string[] = [];
  const add = (name: string, value: string) => options.set(name, [...(options.get(name) ?? []), value]);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const [name = '', inline] = arg.slice(2).split(/=(.*)/s);
      if (inline !== undefined) add(name, inline);
      else if (LONG_WITH_ARG.has(name)) add(name, args[++i] ?? '');
      else add(name, '');
    } else if (arg.startsWith('-') && arg.length > 1) {
      shortCluster(arg.slice(1), syntax, () => args[++i] ?? '', add);
    } else {
      positional.push(arg);
    }
  }
  return { options, positional };
}

function shortCluster(cluster: string, syntax: Syntax, next: () => string, add: (n: string, v: string) => void): void {
  for (let j = 0; j < cluster.length; j++) {
    const letter = cluster[j] ?? '';
    if (syntax.shortWithArg.includes(letter)) {
      add(letter, j + 1 < cluster.length ? cluster.slice(j + 1) : next());
      return;
    }
    add(letter, '');
  }
}
