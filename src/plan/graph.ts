import type { BlockNode, ChildRole } from '../model/node.js';
import type { ImageFacts, ImageHeader, ProbeFormat } from '../model/image.js';
import { refusalText } from '../image/header.js';
import { PROBE_ORDER } from '../image/probe.js';
import type { QemuFacts } from '../model/profile.js';
import { classifyFilename, resolveBacking } from '../qemu/filename.js';
import { driverRole } from '../qemu/drivers.js';
import { qemuFeatures } from '../qemu/features.js';
import { flattenJson, isTree, nestOptions, optionFlag, optionString, type OptionTree } from './options.js';

export interface GraphContext {
  qemu: QemuFacts;
  /**
   * What the host knows about a local filename; undefined when it was not looked at (remote, or no host).
   * `literal`: the name is a path even if it looks like a URL or json: (the file driver named, or a header name after CVE-2024-4467).
   * `format`: the header to read is that format's, not the probed one's (a declared driver reads its own header).
   */
  facts: (filename: string, literal?: boolean, format?: ProbeFormat) => ImageFacts | undefined;
  /** Nodes defined by earlier -blockdev options, by node-name. */
  nodeNames: Map<string, BlockNode>;
  /**
   * Filenames of the format nodes above the backing node being built, while it is built: a loop is a backing file
   * already on the path. A set (not a list per node) keeps a 1,000-deep chain linear to plan.
   */
  backingPath?: Set<string>;
  /** qemu-img info opens with BDRV_O_NO_BACKING; most opens follow the chain. */
  openBacking: boolean;
  /** Since 7.2.13 (CVE-2024-4467) qcow2 skips its data file under BDRV_O_NO_IO. */
  openDataFile: boolean;
}

export interface NodeSpec {
  id: string;
  options: OptionTree;
  filename?: string;
  readOnly: boolean;
  autoReadOnly: boolean;
  childRole?: ChildRole;
  /** Where the node sits: a format position probes when no driver is named, a protocol position reads the filename. */
  position: 'format' | 'protocol';
  /** How many backing links lie above this node. */
  depth?: number;
  /** QEMU's parse_filename is false: no json:, no protocol prefix, the name is a path (header data files and extents since CVE-2024-4467). */
  literal?: boolean;
}

/** Backing chains deeper than this are reported as loops; QEMU itself has no limit but memory (a 1,000-deep chain opens). */
const MAX_CHAIN = 4096;
/** vmdk_open parses extents only from descriptor files; sparse files with an embedded descriptor are their own extent. */
const SELF_EXTENT = ['monolithicSparse', 'streamOptimized'];
/** Only RW extents of these types are opened (vmdk.c vmdk_parse_extents). */
const OPENED_EXTENTS = ['FLAT', 'SPARSE', 'VMFS', 'VMFSSPARSE', 'SESPARSE'];

export function buildNode(spec: NodeSpec, ctx: GraphContext): BlockNode {
  let { options, filename } = spec;
  let planError: BlockNode['planError'];
  if (filename?.startsWith('json:') && !spec.literal) {
    const parsed = parseJsonFilename(filename.slice(5));
    if (typeof parsed === 'string') planError = { code: 'json-invalid', text: parsed };
    else options = mergeOptions(parsed, options);
    filename = optionString(options['filename']);
  }
  filename ??= optionString(options['filename']);
  const readOnly = optionFlag(options['read-only']) ?? spec.readOnly;
  const autoReadOnly = optionFlag(options['auto-read-only']) ?? spec.autoReadOnly;
  const base = { ...spec, options, filename, readOnly, autoReadOnly };
  const driver = optionString(options['driver']);
  const node =
    spec.position === 'protocol' || (driver && driverRole(driver) === 'protocol')
      ? protocolNode(base, driver, ctx)
      : formatNode(base, driver, ctx);
  return planError ? { ...node, planError } : node;
}

function protocolNode(spec: NodeSpec, driver: string | undefined, ctx: GraphContext): BlockNode {
  const node = emptyNode(spec);
  if (driver) {
    const named: BlockNode = { ...node, driver, role: driverRole(driver), selectedBy: 'driver-option' };
    return driver === 'file' || driver === 'host_device' ? withLocalFacts(named, ctx, spec.literal) : named;
  }
  const name = spec.filename ?? '';
  const facts = ctx.facts(name);
  const kind = classifyFilename(name, facts);
  if (kind.kind === 'host-device') return { ...node, driver: kind.driver, selectedBy: 'host-device' };
  if (kind.kind === 'protocol')
    return { ...node, driver: kind.driver ?? kind.prefix, selectedBy: 'protocol-prefix', protocol: kind.prefix };
  const path = kind.kind === 'file' ? kind.path : name;
  return withLocalFacts({ ...node, driver: 'file', selectedBy: 'filename', filename: path }, ctx);
}

/** A local file QEMU will open: whether it exists, and the error the kernel gives when it cannot be read. */
function withLocalFacts(node: BlockNode, ctx: GraphContext, literal = false): BlockNode {
  const facts = node.filename ? ctx.facts(node.filename, literal) : undefined;
  if (!facts) return node;
  if (facts.error)
    return {
      ...node,
      exists: true,
      planError: { code: 'file-unreadable', text: `Could not open '${node.filename}': ${facts.error}` },
    };
  return { ...node, exists: facts.exists };
}

function formatNode(spec: NodeSpec, driver: string | undefined, ctx: GraphContext): BlockNode {
  const given = spec.options['file'];
  const file =
    typeof given === 'string'
      ? { ...reference(given, `${spec.id}/file`, ctx), childRole: 'file' as const }
      : childNode(
          spec,
          'file',
          isTree(given) && spec.filename !== undefined
            ? { filename: spec.filename, ...given }
            : (given ?? spec.filename),
          ctx,
        );
  const local =
    file && file.driver === 'file' && file.filename ? ctx.facts(file.filename, false, headerFormat(driver)) : undefined;
  const probed = driver ? undefined : probe(local, ctx.qemu);
  const name = driver ?? probed?.format ?? 'raw';
  const node: BlockNode = {
    ...emptyNode(spec),
    driver: name,
    role: driverRole(name),
    selectedBy: driver ? 'driver-option' : 'probe',
    filename: file?.filename ?? spec.filename,
    ...(probed && probed.alternatives.length > 1 ? { probeAlternatives: probed.alternatives } : {}),
  };
  const header = local?.header?.format === name ? local.header : undefined;
  const headerRefusal = header && refusalText(header, node.filename);
  // A refused header opens nothing it names.
  const children = [
    file,
    ...(node.role === 'format' && headerRefusal === undefined ? headerChildren(node, header, spec, ctx) : []),
    ...quorumChildren(spec, ctx),
  ].filter((c): c is BlockNode => c !== undefined);
  return { ...node, children, ...(headerRefusal !== undefined ? { headerRefusal } : {}) };
}

const headerFormat = (driver: string | undefined): ProbeFormat | undefined => PROBE_ORDER.find((f) => f === driver);

function headerChildren(
  node: BlockNode,
  header: ImageHeader | undefined,
  spec: NodeSpec,
  ctx: GraphContext,
): BlockNode[] {
  const out: BlockNode[] = [];
  const backing = backingNode(node, header, spec, ctx);
  if (backing) out.push(backing);
  if (header?.dataFile && ctx.openDataFile)
    out.push(childByName(spec, 'data-file', `${spec.id}/data-file`, header.dataFile, ctx));
  if (header?.extents && !SELF_EXTENT.includes(header.createType ?? '')) {
    header.extents
      .filter((e) => e.access === 'RW' && OPENED_EXTENTS.includes(e.type))
      .forEach((e, i) => {
        out.push(
          childByName(spec, 'extent', `${spec.id}/extent.${i}`, resolveBacking(node.filename ?? '', e.filename), ctx),
        );
      });
  }
  return out;
}

/** A data file or extent named in a header; since the CVE-2024-4467 fix the name is a literal path (only a device is told apart). */
function childByName(spec: NodeSpec, role: ChildRole, id: string, filename: string, ctx: GraphContext): BlockNode {
  const literal = qemuFeatures(ctx.qemu).literalChildNames && !filename.startsWith('/dev/');
  const options: OptionTree = literal ? { driver: 'file' } : {};
  return buildNode({ ...inherit(spec, role), id, options, filename, position: 'protocol', literal }, ctx);
}

function backingNode(
  node: BlockNode,
  header: ImageHeader | undefined,
  spec: NodeSpec,
  ctx: GraphContext,
): BlockNode | undefined {
  const given = spec.options['backing'];
  if (given === null || !ctx.openBacking) return undefined;
  const here = node.filename ?? '';
  const depth = (spec.depth ?? 0) + 1;
  const common = {
    id: `${spec.id}/backing`,
    readOnly: true,
    autoReadOnly: false,
    childRole: 'backing' as const,
    position: 'format' as const,
    depth,
  };
  if (typeof given === 'string') return { ...reference(given, common.id, ctx), childRole: 'backing' };
  if (!isTree(given) && !header?.backingFile) return undefined;
  const filename = isTree(given) ? undefined : resolveBacking(here, header?.backingFile ?? '');
  ctx.backingPath ??= new Set();
  const path = ctx.backingPath;
  if (filename !== undefined && (filename === here || path.has(filename) || depth > MAX_CHAIN)) {
    return {
      ...emptyNode(common),
      driver: header?.backingFormat ?? 'raw',
      filename,
      planError: { code: 'backing-loop', text: filename },
    };
  }
  const added = !path.has(here);
  if (added) path.add(here);
  try {
    if (isTree(given)) return buildNode({ ...common, options: given }, ctx);
    // Header backing_fmt beats a json: "driver" (qemu-block-layer.md §6.5).
    const options: OptionTree = header?.backingFormat ? { driver: header.backingFormat } : {};
    const built = buildNode({ ...common, options, filename }, ctx);
    return header?.backingFormat ? { ...built, selectedBy: 'header' } : built;
  } finally {
    if (added) path.delete(here);
  }
}

function childNode(spec: NodeSpec, role: ChildRole, value: unknown, ctx: GraphContext): BlockNode | undefined {
  const common = { ...inherit(spec, role), ...(spec.depth !== undefined ? { depth: spec.depth } : {}) };
  if (typeof value === 'string')
    return buildNode({ ...common, options: {}, filename: value, position: 'protocol' }, ctx);
  if (!isTree(value)) return undefined;
  const driver = optionString(value['driver']);
  const position = driver && driverRole(driver) !== 'protocol' ? 'format' : 'protocol';
  return buildNode({ ...common, options: value, position }, ctx);
}

/** A string where QEMU expects a child's options names another node (bdrv_open_child_bs -> bdrv_lookup_bs). */
function reference(name: string, id: string, ctx: GraphContext): BlockNode {
  const found = ctx.nodeNames.get(name);
  if (found) return { ...found, reference: name };
  const text = `Cannot find device='${name}' nor node-name='${name}'`;
  return {
    id,
    driver: name,
    role: 'other',
    selectedBy: 'driver-option',
    readOnly: true,
    autoReadOnly: false,
    children: [],
    planError: { code: 'node-not-found', text },
  };
}

function quorumChildren(spec: NodeSpec, ctx: GraphContext): BlockNode[] {
  const children = spec.options['children'];
  if (!isTree(children)) return [];
  return Object.entries(children).map(([key, value]) =>
    buildNode(
      {
        ...inherit(spec, 'child'),
        id: `${spec.id}/children.${key}`,
        options: isTree(value) ? value : {},
        position: 'format',
      },
      ctx,
    ),
  );
}

/** Children other than backing inherit read-only and auto-read-only from the parent (bdrv_inherited_options). */
function inherit(spec: NodeSpec, role: ChildRole): Omit<NodeSpec, 'options' | 'position'> {
  return { id: `${spec.id}/${role}`, readOnly: spec.readOnly, autoReadOnly: spec.autoReadOnly, childRole: role };
}

/** bdrv_probe_all over the drivers this build registers: modules never take part, raw always scores 1. */
function probe(facts: ImageFacts | undefined, qemu: QemuFacts): { format: string; alternatives: string[] } | undefined {
  if (!facts?.exists || !facts.probes) return undefined;
  const built = facts.probes.filter((p) => qemu.drivers.builtin.includes(p.format));
  const [best] = built;
  if (!best) return undefined;
  return { format: best.format, alternatives: built.filter((p) => p.format !== 'raw').map((p) => p.format) };
}

/**
 * snapshot=on, qemu-io -s, qemu-nbd -s: the image opens read-only, then a temporary qcow2 that QEMU creates in
 * /var/tmp is opened read-write on top of it (block.c bdrv_append_temp_snapshot).
 */
export function temporaryOverlay(id: string, base: BlockNode): BlockNode {
  const file: BlockNode = {
    id: `${id}/file`,
    driver: 'file',
    role: 'protocol',
    selectedBy: 'default',
    filename: '/var/tmp/vl.XXXXXX',
    readOnly: false,
    autoReadOnly: false,
    childRole: 'file',
    children: [],
  };
  return {
    id,
    driver: 'qcow2',
    role: 'format',
    selectedBy: 'default',
    readOnly: false,
    autoReadOnly: false,
    filename: file.filename,
    children: [{ ...base, childRole: 'snapshot-base' }, file],
  };
}

function emptyNode(spec: Pick<NodeSpec, 'id' | 'readOnly' | 'autoReadOnly' | 'childRole' | 'filename'>): BlockNode {
  return {
    id: spec.id,
    driver: '',
    role: 'protocol',
    selectedBy: 'default',
    readOnly: spec.readOnly,
    autoReadOnly: spec.autoReadOnly,
    children: [],
    ...(spec.filename !== undefined ? { filename: spec.filename } : {}),
    ...(spec.childRole ? { childRole: spec.childRole } : {}),
  };
}

function parseJsonFilename(text: string): OptionTree | string {
  try {
    const value: unknown = JSON.parse(text);
    return isTree(value) ? nestOptions(flattenJson(value)) : 'Invalid JSON object given';
  } catch (error) {
    return `Could not parse the JSON options: ${(error as Error).message}`;
  }
}

/** qdict_join(options, json, false): options given explicitly win over the json: ones. */
function mergeOptions(json: OptionTree, explicit: OptionTree): OptionTree {
  const out: OptionTree = { ...json };
  for (const [key, value] of Object.entries(explicit)) {
    const inner = out[key];
    out[key] = isTree(inner) && isTree(value) ? mergeOptions(inner, value) : value;
  }
  return out;
}
