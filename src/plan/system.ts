import type { Attachment, BlockNode, Drive } from '../model/node.js';
import { InputError } from '../errors.js';
import { qemuFeatures } from '../qemu/features.js';
import { buildNode, temporaryOverlay, type GraphContext } from './graph.js';
import { qapiDriverError } from './qapi.js';
import { defaultInterface, deviceKind, interfaceDevice } from './devices.js';
import { nestOptions, optionFlag, optionString, parseJsonOptions, splitOptions, type OptionTree } from './options.js';
import { DRIVE_SHORTHANDS, MissingArgument, splitSystemArgs, type RawOption } from './system-options.js';

/** -drive options that belong to the drive, not to the block node (blockdev.c drive_new qemu_legacy_drive_opts). */
const LEGACY_KEYS = new Set([
  'file',
  'format',
  'if',
  'index',
  'bus',
  'unit',
  'media',
  'readonly',
  'snapshot',
  'id',
  'cache',
  'aio',
  'serial',
  'addr',
  'werror',
  'rerror',
  'boot',
  'trans',
  'cyls',
  'heads',
  'secs',
  'copy-on-read',
]);

/** Builds the drives a qemu-system / qemu-kvm command line opens, in the order QEMU opens them: -blockdev, then -drive. */
export function planSystem(args: string[], ctx: Omit<GraphContext, 'nodeNames'>): Drive[] {
  const options = split(args);
  const machine = machineType(options);
  const globalSnapshot = options.some((o) => o.name === 'snapshot');
  const graph: GraphContext = { ...ctx, nodeNames: new Map() };
  const blockdevs = options.filter((o) => o.name === 'blockdev').map((o) => blockdevDrive(o, graph));
  const drives = options
    .flatMap((o, i) => driveOption(o, i))
    .map((o) => legacyDrive(o, defaultInterface(machine), globalSnapshot, graph));
  const all = [...blockdevs, ...drives];
  for (const device of options.filter((o) => o.name === 'device')) attachDevice(device, all);
  return all;
}

function split(args: string[]): RawOption[] {
  try {
    return splitSystemArgs(args);
  } catch (error) {
    if (error instanceof MissingArgument) throw new InputError(`option ${error.option} requires an argument`);
    throw error;
  }
}

function machineType(options: RawOption[]): string {
  const m = options.filter((o) => o.name === 'M' || o.name === 'machine').at(-1);
  if (!m) return 'pc';
  const pairs = splitOptions(m.value);
  return pairs.find(([k]) => k === 'type')?.[1] ?? (pairs[0]?.[1] === 'on' ? pairs[0][0] : 'pc');
}

function driveOption(o: RawOption, _: number): RawOption[] {
  if (o.name === 'drive') return [o];
  const short = DRIVE_SHORTHANDS[o.name];
  if (!short) return [];
  const parts = [`file=${o.value.replaceAll(',', ',,')}`, `index=${short.index}`];
  if (short.media) parts.push(`media=${short.media}`);
  if (short.if) parts.push(`if=${short.if}`);
  return [{ ...o, name: 'drive', value: parts.join(',') }];
}

function legacyDrive(o: RawOption, defaultIf: string, globalSnapshot: boolean, ctx: GraphContext): Drive {
  const pairs = splitOptions(o.value);
  const legacy = new Map(pairs.filter(([k]) => LEGACY_KEYS.has(k)));
  const block = nestOptions(pairs.filter(([k]) => !LEGACY_KEYS.has(k)));
  const cdrom = legacy.get('media') === 'cdrom';
  const iface = legacy.get('if') ?? defaultIf;
  const id = legacy.get('id') ?? defaultDriveId(iface, legacy, cdrom);
  const format = legacy.get('format');
  if (format) block['driver'] = format;
  const readOnly = cdrom || optionFlag(legacy.get('readonly')) === true;
  const snapshot = optionFlag(legacy.get('snapshot')) ?? globalSnapshot;
  const autoReadOnly = qemuFeatures(ctx.qemu).driveAutoReadOnly;
  const root = snapshotRoot(snapshot, id, block, legacy.get('file'), readOnly, autoReadOnly, ctx);
  const device = iface === 'none' ? undefined : interfaceDevice(iface, cdrom);
  const file = legacy.get('file');
  return {
    location: o.location,
    kind: '-drive',
    id,
    root,
    attachments: device ? [device] : [],
    errorStyle: 'system',
    ...(file !== undefined ? { errorSubject: file } : { errorSubject: id }),
  };
}

function snapshotRoot(
  snapshot: boolean,
  id: string,
  block: OptionTree,
  filename: string | undefined,
  readOnly: boolean,
  autoReadOnly: boolean,
  ctx: GraphContext,
): BlockNode {
  if (!snapshot || readOnly) {
    return buildNode({ id, options: block, filename, readOnly, autoReadOnly, position: 'format' }, ctx);
  }
  const original = buildNode(
    { id: `${id}/backing`, options: block, filename, readOnly: true, autoReadOnly, position: 'format' },
    ctx,
  );
  return temporaryOverlay(id, original);
}

function blockdevDrive(o: RawOption, ctx: GraphContext): Drive {
  const options = o.value.trimStart().startsWith('{')
    ? parseJsonOptions(o.value, o.location)
    : nestOptions(splitOptions(o.value));
  const id = optionString(options['node-name']) ?? `#block${ctx.nodeNames.size}`;
  const built = buildNode({ id, options, readOnly: false, autoReadOnly: false, position: 'format' }, ctx);
  const refused = qapiDriverError(options, ctx.qemu.version);
  // QAPI refuses the option as it is parsed: no node of it opens.
  const root: BlockNode = refused
    ? { ...built, children: [], planError: { code: 'driver-not-built', text: refused } }
    : built;
  ctx.nodeNames.set(id, root);
  return { location: o.location, kind: '-blockdev', id, root, attachments: [], errorStyle: 'system' };
}

function attachDevice(o: RawOption, drives: Drive[]): void {
  const pairs = splitOptions(o.value);
  const driver = pairs[0]?.[0] ?? '';
  const target = pairs.find(([k]) => k === 'drive')?.[1];
  const drive = target === undefined ? undefined : drives.find((d) => d.id === target);
  if (!drive) return;
  const attachment: Attachment = { kind: deviceKind(driver), origin: o.location, createdByMachine: false };
  drive.attachments.push(attachment);
}

function defaultDriveId(iface: string, legacy: Map<string, string>, cdrom: boolean): string {
  const index = Number(legacy.get('index') ?? 0);
  if (iface === 'ide') return `ide${Math.floor(index / 2)}-${cdrom ? 'cd' : 'hd'}${index % 2}`;
  return `${iface}${index}`;
}
