import type { Drive, ErrorStyle } from '../model/node.js';
import { InputError } from '../errors.js';
import { atLeast } from '../qemu/version.js';
import { buildNode, temporaryOverlay, type GraphContext } from './graph.js';
import { nestOptions, splitOptions, type OptionTree } from './options.js';
import { IMG_SUBCOMMANDS, IO_SYNTAX, NBD_SYNTAX, parseToolArgs, type ParsedToolArgs } from './tool-syntax.js';
import { planSystem } from './system.js';

type Ctx = Omit<GraphContext, 'nodeNames'>;

interface ImageUse {
  filename: string;
  format?: string;
  readOnly: boolean;
  /** Open the backing chain too; qemu-img info, rebase -u and bitmap pass BDRV_O_NO_BACKING. */
  backing?: boolean;
  created?: boolean;
  /** -s / snapshot=on: the image opens read-only under a temporary read-write qcow2. */
  snapshot?: boolean;
  style?: ErrorStyle;
  /** qemu-img create reports backing errors under the new image's name. */
  subject?: string;
}

type Uses = (p: ParsedToolArgs, version: string) => ImageUse[];

/** Which images a qemu-img subcommand opens and how: docs/research/qemu-tools-open-modes.md §1 (qemu 7.2 qemu-img.c). */
const IMG_USES: Record<string, Uses> = {
  info: (p) =>
    one(p, {
      readOnly: true,
      backing: p.options.has('backing-chain'),
      style: p.options.has('backing-chain') ? 'img-chain-element' : 'img-open',
    }),
  check: (p) => one(p, { readOnly: !p.options.has('r') && !p.options.has('repair') }),
  map: (p) => one(p, { readOnly: true }),
  measure: (p) => (p.options.has('size') ? [] : one(p, { readOnly: true })),
  resize: (p) => one(p, { readOnly: false }),
  amend: (p) => one(p, { readOnly: false }),
  // The base is opened read-only and later reopened read-write, which the whitelist never checks (§8.4).
  commit: (p) => one(p, { readOnly: false }),
  bench: (p) => one(p, { readOnly: !p.options.has('w') }),
  bitmap: (p) => [...one(p, { readOnly: false, backing: false }), ...optionImage(p, 'b', 'F', { backing: false })],
  // 7.2 opens read-write even with no action; from 10.1 no action means -l (qemu-img.c "<=10.0" comments).
  snapshot: (p, version) =>
    one(p, {
      readOnly: p.options.has('l') || (atLeast(version, '10.1') && !['a', 'c', 'd'].some((o) => p.options.has(o))),
    }),
  compare: (p) =>
    p.positional.slice(0, 2).map((filename, i) => ({ filename, readOnly: true, format: last(p, i === 0 ? 'f' : 'F') })),
  rebase: (p) => [
    ...one(p, { readOnly: false, backing: !p.options.has('u') }),
    ...(p.options.has('u') ? [] : optionImage(p, 'b', 'F', { style: 'img-new-backing' })),
  ],
  // Creation itself checks no format against the whitelist; only qcow2 creation opens the new image (§8.1).
  create: (p) => [
    ...(p.options.has('u') ? [] : optionImage(p, 'b', 'F', { style: 'img-create', subject: p.positional[0] })),
    ...createdTarget(p.positional[0], last(p, 'f') ?? 'raw'),
  ],
  convert: (p) => {
    const sources = p.positional.slice(0, -1).map((filename) => ({ filename, readOnly: true, format: last(p, 'f') }));
    const target = p.positional.at(-1);
    return target ? [...sources, target_(target, last(p, 'O') ?? 'raw', !p.options.has('n'))] : sources;
  },
  dd: (p) => {
    const operand = (k: string) => p.positional.find((a) => a.startsWith(`${k}=`))?.slice(k.length + 1);
    const input = operand('if');
    const output = operand('of');
    return [
      ...(input ? [{ filename: input, readOnly: true, format: last(p, 'f') }] : []),
      ...(output ? [target_(output, last(p, 'O') ?? 'raw', true)] : []),
    ];
  },
};

export function planTool(program: string, args: string[], ctx: Ctx): { drives: Drive[]; subcommand?: string } {
  if (program === 'qemu-img') return planImg(args, ctx);
  if (program === 'qemu-storage-daemon') {
    const blockdevs = args.flatMap((a, i) =>
      a === '--blockdev'
        ? ['-blockdev', args[i + 1] ?? '']
        : a.startsWith('--blockdev=')
          ? ['-blockdev', a.slice(11)]
          : [],
    );
    const drives = planSystem(blockdevs, ctx).map(
      (d): Drive => ({ ...d, location: `--${d.location.slice(1)}`, errorStyle: 'storage-daemon' }),
    );
    return { drives };
  }
  const nbd = program === 'qemu-nbd';
  const parsed = parseToolArgs(args, nbd ? NBD_SYNTAX : IO_SYNTAX);
  // qemu-nbd -l (load snapshot) implies -r (qemu-nbd.c falls through to the read-only case).
  const readOnly = ['r', 'read-only', ...(nbd ? ['l', 'load-snapshot'] : [])].some((o) => parsed.options.has(o));
  const style: ErrorStyle = nbd ? 'nbd' : parsed.options.has('image-opts') ? 'io-image-opts' : 'io';
  const snapshot = parsed.options.has('s') || parsed.options.has('snapshot');
  return { drives: images(one(parsed, { readOnly, snapshot, style }), parsed, ctx) };
}

function planImg(args: string[], ctx: Ctx): { drives: Drive[]; subcommand: string } {
  const [subcommand = '', ...rest] = args;
  const syntax = IMG_SUBCOMMANDS[subcommand];
  const uses = IMG_USES[subcommand];
  if (!syntax || !uses) throw new InputError(`qemu-img: unknown subcommand '${subcommand}'`);
  const parsed = parseToolArgs(rest, syntax);
  return { drives: images(uses(parsed, ctx.qemu.version), parsed, ctx), subcommand };
}

function images(uses: ImageUse[], parsed: ParsedToolArgs, ctx: Ctx): Drive[] {
  const imageOpts = parsed.options.has('image-opts');
  return uses.map((use, i) => {
    const id = `image${i}`;
    const opts = imageOpts && !use.created && use.style !== 'img-new-backing';
    const options: OptionTree = opts ? nestOptions(splitOptions(use.filename)) : {};
    if (!opts && use.format) options['driver'] = use.format;
    const filename = opts ? undefined : use.filename;
    // A target is created before it is opened: nothing about the old file at that name matters.
    const facts = use.created ? (name: string) => (name === use.filename ? undefined : ctx.facts(name)) : ctx.facts;
    const graph: GraphContext = { ...ctx, facts, openBacking: use.backing ?? true, nodeNames: new Map() };
    const spec = { options, filename, readOnly: use.readOnly, autoReadOnly: false, position: 'format' as const };
    const root = use.snapshot
      ? temporaryOverlay(id, buildNode({ ...spec, id: `${id}/backing`, readOnly: true }, graph))
      : buildNode({ ...spec, id }, graph);
    return {
      location: use.filename,
      kind: use.created ? 'target' : 'image',
      id,
      root,
      attachments: [],
      errorStyle: use.style ?? 'img-open',
      ...(use.subject ? { errorSubject: use.subject } : {}),
      ...(use.created ? { created: true } : {}),
    };
  });
}

/** qemu-img create: only qcow2 creation opens the new image as a format node; others touch only the file node. */
function createdTarget(filename: string | undefined, format: string): ImageUse[] {
  if (!filename) return [];
  return [
    {
      filename,
      format: format === 'qcow2' ? 'qcow2' : 'file',
      readOnly: false,
      backing: false,
      created: true,
      style: 'img-create',
    },
  ];
}

function target_(filename: string, format: string, created: boolean): ImageUse {
  return { filename, format, readOnly: false, backing: false, ...(created ? { created: true } : {}) };
}

function one(p: ParsedToolArgs, use: Omit<ImageUse, 'filename'>): ImageUse[] {
  const filename = p.positional[0];
  // qemu-nbd and qemu-io take --format as well as -f (virt-v2v's lib/qemuNBD.ml passes --format).
  return filename === undefined ? [] : [{ format: last(p, 'f') ?? last(p, 'format'), ...use, filename }];
}

function optionImage(p: ParsedToolArgs, name: string, fmt: string, extra: Partial<ImageUse>): ImageUse[] {
  const filename = last(p, name);
  return filename ? [{ filename, readOnly: true, format: last(p, fmt), ...extra }] : [];
}

function last(p: ParsedToolArgs, name: string): string | undefined {
  return p.options.get(name)?.at(-1);
}
