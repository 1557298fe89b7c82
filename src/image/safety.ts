/**
 * What in an image's chain a host should not trust: names that reach outside the image's folder, devices,
 * the network or json: graphs, formats that depend on who opens the file, broken headers. Pure: it judges
 * the chain and the probes it is given and reads nothing (the checks of oslo.utils' format_inspector, and
 * libvirt's backing-format rule, over a whole chain).
 */
import * as path from './posix-path.js';
import type { ChainNode, ImageChain } from '../model/chain.js';
import type { ImageFacts } from '../model/image.js';
import type { Severity } from '../findings/finding.js';
import { hasCve20244467Fix } from '../qemu/features.js';
import { hasProtocol } from '../qemu/filename.js';
import { refusalText } from './header.js';

export const IMAGE_FINDING_CODES = [
  'image-format-probed',
  'image-format-ambiguous',
  'backing-absolute',
  'backing-outside-folder',
  'backing-device',
  'backing-url',
  'backing-json',
  'backing-format-missing',
  'data-file-absolute',
  'data-file-outside-folder',
  'data-file-device',
  'data-file-url',
  'extent-outside-folder',
  'extent-device',
  'backing-loop',
  'chain-too-deep',
  'header-field-out-of-range',
  'file-unreadable',
] as const;

export type ImageFindingCode = (typeof IMAGE_FINDING_CODES)[number];

export interface ImageFinding {
  code: ImageFindingCode;
  severity: Severity;
  /** The chain node (its filename) the finding is about. */
  node?: string;
  args: Record<string, string>;
}

/** What was read about one file of the chain besides the chain itself: probes, the header read (its problems), errors. */
export type NodeFacts = Pick<ImageFacts, 'probes' | 'header' | 'error' | 'kind'>;

export interface SafetyFacts {
  /** By chain node filename (as ChainNode.filename spells it). */
  nodes: ReadonlyMap<string, NodeFacts>;
  /** The format the user says the top image has (-f, format=, libvirt's driver type). */
  declaredFormat?: string;
  /** Where absolute paths really lead once symlinks are followed; a path not listed is taken as written. */
  realPaths?: ReadonlyMap<string, string>;
}

export interface SafetyOptions {
  /** How deep the chain was followed; a chain that long with a backing file left is not vouched for. */
  maxDepth: number;
  /** The folder relative filenames start from (QEMU's working directory). Default "/". */
  cwd?: string;
  /** Files the images may name: this folder and below. Default: the top image's folder. */
  root?: string;
  /** QEMU version the images will be opened by, for data-file name parsing. */
  qemuVersion?: string;
}

interface Ctx {
  cwd: string;
  root: string;
  options: SafetyOptions;
  facts: SafetyFacts;
}

export function imageFindings(chain: ImageChain, facts: SafetyFacts, options: SafetyOptions): ImageFinding[] {
  const cwd = options.cwd ?? '/';
  const root =
    options.root === undefined
      ? path.dirname(path.resolve(cwd, chain.path))
      : path.isAbsolute(options.root)
        ? options.root
        : path.resolve(cwd, options.root);
  const ctx: Ctx = { cwd, root, options, facts };
  if (chain.chain.length === 0) return stopFindings(chain.path, ctx, chain.error ?? 'not read');
  const nodes = chain.chain;
  const fulls = nodes.map((node) => path.resolve(cwd, node.filename));
  const out: ImageFinding[] = [];
  nodes.forEach((node, i) => {
    out.push(...formatFindings(node, i === 0 ? facts.declaredFormat : nodes[i - 1]?.backingFormat, i, ctx));
    out.push(...nodeFindings(node, fulls[i] ?? node.filename, ctx));
    if (node.backingFile !== undefined && !node.backingFormat)
      out.push(backingFormatFinding(node, nodes[i + 1], libvirtPath(nodes, i, fulls)));
  });
  out.push(...chainEndFindings(nodes, fulls, ctx));
  return out;
}

const finding = (
  code: ImageFindingCode,
  severity: Severity,
  node: string | undefined,
  args: Record<string, string>,
): ImageFinding => ({ code, severity, ...(node !== undefined ? { node } : {}), args });

const unreadable = (filename: string, text: string): ImageFinding =>
  finding('file-unreadable', 'error', filename, { filename, text });

/** The file a chain stopped at (the top, or a backing file): it could not be read, or its header is refused. */
function stopFindings(filename: string, ctx: Ctx, fallback?: string): ImageFinding[] {
  const facts = ctx.facts.nodes.get(filename);
  if (facts?.error) return [unreadable(filename, facts.error)];
  const problems = headerFindings(filename, facts);
  if (problems.length > 0) return problems;
  return fallback === undefined ? [] : [unreadable(filename, fallback)];
}

/** A header QEMU refuses is an error; what QEMU lets pass but blockgate noticed (a name past the end of the file) a warning. */
function headerFindings(filename: string, facts: NodeFacts | undefined): ImageFinding[] {
  const header = facts?.header;
  if (!header) return [];
  const refused = refusalText(header, filename);
  return [
    ...(refused !== undefined
      ? [finding('header-field-out-of-range', 'error', filename, { format: header.format, text: refused })]
      : []),
    ...header.notes.map((text) =>
      finding('header-field-out-of-range', 'warning', filename, { format: header.format, text }),
    ),
  ];
}

/** Extensions that say which format a file is meant to be; ".img" says nothing (cloud images are qcow2). */
const EXTENSION_FORMATS: Record<string, string> = {
  '.raw': 'raw',
  '.iso': 'raw',
  '.qcow2': 'qcow2',
  '.qcow': 'qcow',
  '.vmdk': 'vmdk',
  '.vdi': 'vdi',
  '.vhd': 'vpc',
  '.vhdx': 'vhdx',
  '.qed': 'qed',
};

function formatFindings(node: ChainNode, expected: string | undefined, index: number, ctx: Ctx): ImageFinding[] {
  const probes = ctx.facts.nodes.get(node.filename)?.probes ?? [];
  const headers = probes.filter((p) => p.format !== 'raw').map((p) => p.format);
  const winner = headers[0];
  const out: ImageFinding[] = [];
  if (index === 0 && expected === undefined) {
    out.push(
      finding('image-format-probed', 'info', node.filename, { format: node.format, alternatives: headers.join(', ') }),
    );
  }
  const byName =
    winner && index === 0 && expected === undefined
      ? EXTENSION_FORMATS[path.extname(node.filename).toLowerCase()]
      : undefined;
  const claimed = expected ?? byName;
  const claimedBy =
    expected === undefined
      ? 'file name'
      : index === 0
        ? 'declared format'
        : 'backing format recorded in the parent image';
  if (headers.length > 1) {
    out.push(
      finding('image-format-ambiguous', 'error', node.filename, {
        formats: headers.join(', '),
        probed: winner ?? '',
        expected: claimed ?? '',
        expectedBy: claimed ? claimedBy : '',
      }),
    );
  } else if (winner && claimed && winner !== claimed) {
    out.push(
      finding('image-format-ambiguous', byName ? 'warning' : 'error', node.filename, {
        formats: winner,
        probed: winner,
        expected: claimed,
        expectedBy: claimedBy,
      }),
    );
  }
  return out;
}

function nodeFindings(node: ChainNode, full: string, ctx: Ctx): ImageFinding[] {
  const facts = ctx.facts.nodes.get(node.filename);
  const dir = path.dirname(full);
  if (
    !facts?.error &&
    !facts?.header?.refusal &&
    !facts?.header?.notes.length &&
    node.backingFile === undefined &&
    node.dataFile === undefined &&
    !node.extents?.length
  )
    return [];
  return [
    ...(facts?.error ? [unreadable(node.filename, facts.error)] : []),
    ...headerFindings(node.filename, facts),
    ...(node.backingFile !== undefined ? backingFindings(node, node.backingFile, dir, ctx) : []),
    // QEMU 7.2 opens a relative data file from its working directory, not from the image's folder (checked with 7.2.22).
    ...(node.dataFile !== undefined ? dataFileFindings(node, node.dataFile, ctx) : []),
    ...(node.extents ?? []).flatMap((extent) => extentFindings(node, extent, full, ctx)),
  ];
}

function backingFindings(node: ChainNode, written: string, dir: string, ctx: Ctx): ImageFinding[] {
  const ref = classify(written, dir, ctx, node.backingFileResolved);
  const base = { backing: written };
  switch (ref.kind) {
    case 'json':
      return [
        finding('backing-json', 'error', node.filename, {
          ...base,
          drivers: ref.drivers,
          filenames: ref.filenames,
          servers: ref.servers,
        }),
      ];
    case 'url':
      return [finding('backing-url', 'error', node.filename, { ...base, protocol: ref.protocol })];
    case 'device':
      return [finding('backing-device', 'error', node.filename, { ...base, resolved: ref.path })];
    case 'path':
      return [
        ...(ref.absolute
          ? [finding('backing-absolute', 'warning', node.filename, { ...base, resolved: ref.path })]
          : []),
        ...(ref.outside
          ? [
              finding('backing-outside-folder', 'error', node.filename, {
                ...base,
                resolved: ref.path,
                folder: ctx.root,
              }),
            ]
          : []),
      ];
  }
}

function dataFileFindings(node: ChainNode, written: string, ctx: Ctx): ImageFinding[] {
  const ref = classify(written, ctx.cwd, ctx);
  const base = { dataFile: written };
  switch (ref.kind) {
    case 'json':
    case 'url': {
      const literal = ctx.options.qemuVersion !== undefined && hasCve20244467Fix(ctx.options.qemuVersion);
      const what: Record<string, string> =
        ref.kind === 'json'
          ? { protocol: 'json', drivers: ref.drivers, filenames: ref.filenames, servers: ref.servers }
          : { protocol: ref.protocol };
      return [
        finding('data-file-url', literal ? 'warning' : 'error', node.filename, {
          ...base,
          ...what,
          opensAs: literal ? 'literal-path' : ctx.options.qemuVersion ? 'protocol' : 'unknown',
          qemu: ctx.options.qemuVersion ?? '',
        }),
      ];
    }
    case 'device':
      return [finding('data-file-device', 'error', node.filename, { ...base, resolved: ref.path })];
    case 'path':
      return [
        ...(ref.absolute
          ? [finding('data-file-absolute', 'warning', node.filename, { ...base, resolved: ref.path })]
          : []),
        ...(ref.outside
          ? [
              finding('data-file-outside-folder', 'error', node.filename, {
                ...base,
                resolved: ref.path,
                folder: ctx.root,
              }),
            ]
          : []),
      ];
  }
}

function extentFindings(node: ChainNode, written: string, full: string, ctx: Ctx): ImageFinding[] {
  const ref = classify(written, path.dirname(full), ctx);
  if (ref.kind === 'device')
    return [finding('extent-device', 'error', node.filename, { extent: written, resolved: ref.path })];
  if (ref.kind !== 'path')
    return [
      finding('extent-outside-folder', 'error', node.filename, {
        extent: written,
        resolved: written,
        folder: ctx.root,
      }),
    ];
  const escapes = !inside(ref.path, path.dirname(real(full, ctx)));
  return ref.absolute || escapes || ref.outside
    ? [
        finding('extent-outside-folder', 'error', node.filename, {
          extent: written,
          resolved: ref.path,
          folder: ctx.root,
        }),
      ]
    : [];
}

/** libvirt's src->path of node i: the top as given (made absolute), backing names joined to the parent's folder unnormalised (g_build_filename). */
function libvirtPath(chain: ChainNode[], i: number, fulls: string[]): string {
  const written = chain[i - 1]?.backingFile;
  if (i === 0 || written === undefined) return fulls[i] ?? '';
  return written.startsWith('/') ? written : `${path.dirname(libvirtPath(chain, i - 1, fulls))}/${written}`;
}

/**
 * libvirt >= 6.0 refuses a backing file whose format the image does not record (storage_source.c
 * virStorageSourceGetMetadataRecurse); 6.1+ accepts it when probing finds no backing file of its own.
 */
function backingFormatFinding(node: ChainNode, next: ChainNode | undefined, libvirtPath: string): ImageFinding {
  const backing = node.backingFile ?? '';
  const remote = backing.startsWith('json:') || hasProtocol(backing);
  const refusedBy =
    remote || next?.backingFile !== undefined
      ? 'libvirt >= 6.0'
      : next
        ? 'libvirt 6.0.0 (6.1 and later probe it and accept it)'
        : 'libvirt 6.0.0, and later versions if the backing file has a backing file of its own';
  const message =
    `format of backing image '${backing}' of image '${libvirtPath}' was not specified in the ` +
    'image metadata (See https://libvirt.org/kbase/backing_chains.html for troubleshooting)';
  return finding('backing-format-missing', 'warning', node.filename, {
    backing,
    image: libvirtPath,
    refusedBy,
    message,
  });
}

function chainEndFindings(chain: ChainNode[], fulls: string[], ctx: Ctx): ImageFinding[] {
  const seen = new Set<string>();
  for (const [i, node] of chain.entries()) {
    const full = fulls[i] ?? node.filename;
    if (seen.has(full)) return [finding('backing-loop', 'error', node.filename, { text: node.filename })];
    seen.add(full);
  }
  const last = chain[chain.length - 1];
  if (!last?.backingFile) return [];
  const ref = classify(
    last.backingFile,
    path.dirname(fulls[chain.length - 1] ?? last.filename),
    ctx,
    last.backingFileResolved,
  );
  if (ref.kind !== 'path') return [];
  if (seen.has(ref.path)) return [finding('backing-loop', 'error', last.filename, { text: last.backingFile })];
  if (last.backingFileResolved !== undefined && ctx.facts.nodes.has(last.backingFileResolved))
    return stopFindings(last.backingFileResolved, ctx);
  return chain.length >= ctx.options.maxDepth
    ? [
        finding('chain-too-deep', 'error', last.filename, {
          depth: String(chain.length),
          maxDepth: String(ctx.options.maxDepth),
        }),
      ]
    : [];
}

type Reference =
  | { kind: 'json'; drivers: string; filenames: string; servers: string }
  | { kind: 'url'; protocol: string }
  | { kind: 'device'; path: string }
  | { kind: 'path'; path: string; absolute: boolean; outside: boolean };

/** How QEMU reads a name found in a header (bdrv_find_protocol, file-posix hdev_probe_device), as a place on the host. */
function classify(written: string, dir: string, ctx: Ctx, resolved?: string): Reference {
  if (written.startsWith('json:')) return { kind: 'json', ...jsonContents(written.slice(5)) };
  const device = /^(host_device|host_cdrom):/.exec(written);
  const file = written.startsWith('file:');
  const name = device ? written.slice(device[0].length) : file ? written.slice(5) : written;
  if (!device && !file && hasProtocol(written))
    return { kind: 'url', protocol: written.slice(0, written.indexOf(':')) };
  // bdrv_make_absolute_filename keeps a prefixed name as written: QEMU opens file:x from its working directory.
  const lexical = file
    ? path.resolve(ctx.cwd, name)
    : resolved !== undefined && name === written
      ? path.resolve(ctx.cwd, resolved)
      : path.resolve(dir, name);
  const full = real(lexical, ctx);
  const kind = ctx.facts.nodes.get(resolved ?? '')?.kind;
  if (device || inside(full, '/dev') || kind === 'block-device' || kind === 'char-device')
    return { kind: 'device', path: full };
  return { kind: 'path', path: full, absolute: name.startsWith('/'), outside: !inside(full, ctx.root) };
}

const real = (full: string, ctx: Ctx): string => ctx.facts.realPaths?.get(full) ?? full;

function inside(file: string, folder: string): boolean {
  return (
    file === folder ||
    (file.startsWith(folder) && (folder.endsWith('/') || file.charCodeAt(folder.length) === 47)) /* / */
  );
}

/** The drivers, local filenames and servers a json: graph names, at any depth, dotted keys included. */
function jsonContents(text: string): { drivers: string; filenames: string; servers: string } {
  const drivers = new Set<string>();
  const filenames = new Set<string>();
  const servers = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(walk);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const entries = Object.entries(value as Record<string, unknown>);
    const leaf = (key: string) => key.slice(key.lastIndexOf('.') + 1);
    for (const [key, v] of entries) {
      if (typeof v === 'string' && leaf(key) === 'driver') drivers.add(v);
      else if (typeof v === 'string' && (leaf(key) === 'filename' || leaf(key) === 'path')) filenames.add(v);
      else if (typeof v === 'string' && leaf(key) === 'host') {
        const port = entries.find(([k]) => k === key.replace(/host$/, 'port'))?.[1];
        servers.add(typeof port === 'string' || typeof port === 'number' ? `${v}:${port}` : v);
      } else walk(v);
    }
  };
  try {
    walk(JSON.parse(text) as unknown);
  } catch {
    return { drivers: '', filenames: '', servers: '' };
  }
  return { drivers: [...drivers].join(', '), filenames: [...filenames].join(', '), servers: [...servers].join(', ') };
}
