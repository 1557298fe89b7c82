import type { Drive } from '../model/node.js';
import { InputError } from '../errors.js';
import { buildNode, type GraphContext } from './graph.js';
import { nestOptions, splitOptions, type OptionTree } from './options.js';
import { IMG_SUBCOMMANDS, IO_SYNTAX, NBD_SYNTAX, parseToolArgs, type ParsedToolArgs } from './tool-syntax.js';
import { planSystem } from './system.js';

type Ctx = Omit<GraphContext, 'nodeNames'>;

interface ImageUse {
  filename: string;
  format?: string;
  readOnly: boolean;
  /** Open the backing chain too (most subcommands); qemu-img info passes BDRV_O_NO_BACKING. */
  backing?: boolean;
  created?: boolean;
}

/** Which images a qemu-img subcommand opens and how (qemu-img.c img_* functions; docs/research/qemu-tools-open-modes.md). */
const IMG_USES: Record<string, (p: ParsedToolArgs) => ImageUse[]> = {
  info: (p) => one(p, { readOnly: true, backing: p.options.has('backing-chain') }),
  check: (p) => one(p, { readOnly: !p.options.has('r') && !p.options.has('repair') }),
  map: (p) => one(p, { readOnly: true }),
  measure: (p) => one(p, { readOnly: true }),
  resize: (p) => one(p, { readOnly: false }),
  amend: (p) => one(p, { readOnly: false }),
  commit: (p) => one(p, { readOnly: false }),
  bitmap: (p) => one(p, { readOnly: false }),
  bench: (p) => one(p, { readOnly: !p.options.has('w') }),
  snapshot: (p) => one(p, { readOnly: p.options.has('l') }),
  compare: (p) => p.positional.slice(0, 2).map((filename, i) => ({ filename, readOnly: true, format: flag(p, i === 0 ? 'f' : 'F') })),
  rebase: (p) => [...one(p, { readOnly: false }), ...(p.options.has('u') ? [] : backingArg(p, 'b', 'F'))],
  create: (p) => (p.options.has('u') ? [] : backingArg(p, 'b', 'F')),
  convert: (p) => {
    const sources = p.positional.slice(0, -1).map((filename) => ({ filename, readOnly: true, format: flag(p, 'f') }));
    const target = p.positional.at(-1);
    const out = target ? [{ filename: target, readOnly: false, backing: false, format: flag(p, 'O') ?? 'raw', created: !p.options.has('n') }] : [];
    return [...sources, ...out];
  },
  dd: (p) => {
    const operand = (k: string) => p.positional.find((a) => a.startsWith(`${k}=`))?.slice(k.length + 1);
    const input = operand('if');
    const output = operand('of');
    return [
      ...(input ? [{ filename: input, readOnly: true, format: flag(p, 'f') }] : []),
      ...(output ? [{ filename: output, readOnly: false, format: flag(p, 'O') ?? 'raw', created: true }] : []),
    ];
  },
};

export function planTool(program: string, args: string[], ctx: Ctx): { drives: Drive[]; subcommand?: string } {
  if (program === 'qemu-img') return planImg(args, ctx);
  if (program === 'qemu-storage-daemon') {
    const blockdevs = args.flatMap((a, i) => (a === '--blockdev' ? ['-blockdev', args[i + 1] ?? ''] : a.startsWith('--blockdev=') ? ['-blockdev', a.slice(11)] : []));
    return { drives: planSystem(blockdevs, ctx) };
  }
  const parsed = parseToolArgs(args, program === 'qemu-nbd' ? NBD_SYNTAX : IO_SYNTAX);
  const readOnly = parsed.options.has('r') || parsed.options.has('read-only');
  return { drives: images(one(parsed, { readOnly }), parsed, ctx) };
}

function planImg(args: string[], ctx: Ctx): { drives: Drive[]; subcommand: string } {
  const [subcommand = '', ...rest] = args;
  const syntax = IMG_SUBCOMMANDS[subcommand];
  const uses = IMG_USES[subcommand];
  if (!syntax || !uses) throw new InputError(`qemu-img: unknown subcommand '${subcommand}'`);
  const parsed = parseToolArgs(rest, syntax);
  return { drives: images(uses(parsed), parsed, ctx), subcommand };
}

function images(uses: ImageUse[], parsed: ParsedToolArgs, ctx: Ctx): Drive[] {
  const imageOpts = parsed.options.has('image-opts');
  return uses.map((use, i) => {
    const id = `image${i}`;
    const options: OptionTree = imageOpts ? nestOptions(splitOptions(use.filename)) : {};
    if (!imageOpts && use.format) options['driver'] = use.format;
    const filename = imageOpts ? undefined : use.filename;
    const graph: GraphContext = { ...ctx, openBacking: use.backing ?? true, openDataFile: ctx.openDataFile, nodeNames: new Map() };
    const root = buildNode({ id, options, filename, readOnly: use.readOnly, autoReadOnly: false, position: 'format' }, graph);
    return { location: use.filename, kind: use.created ? 'target' : 'image', id, root, attachments: [], ...(use.created ? { created: true } : {}) };
  });
}

function one(p: ParsedToolArgs, use: Omit<ImageUse, 'filename'>): ImageUse[] {
  const filename = p.positional[0];
  return filename === undefined ? [] : [{ format: flag(p, 'f'), ...use, filename }];
}

function backingArg(p: ParsedToolArgs, name: string, fmt: string): ImageUse[] {
  const filename = flag(p, name);
  return filename ? [{ filename, readOnly: true, format: flag(p, fmt) }] : [];
}

function flag(p: ParsedToolArgs, name: string): string | undefined {
  return p.options.get(name)?.at(-1);
}
