/**
 * The backing chain from what `qemu-img info --backing-chain --output=json` prints: a JSON array,
 * top to base (qemu-block-layer.md §9). Pure: the caller runs qemu-img (host/qemu-img-info.ts).
 *
 * Only fields are read, never their order (7.2 and 10.2 print keys in hash order). The `children`
 * that 8.0+ adds (BlockGraphInfo) repeats what the node's own fields say and is ignored.
 */
import type { ChainNode, ImageChain } from '../model/chain.js';

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function text(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

/** The chain qemu-img reported for `path`; output that is not qemu-img's shape gives `error`. */
export function chainFromQemuImgJson(path: string, json: unknown): ImageChain {
  if (!Array.isArray(json)) return { path, chain: [], error: 'qemu-img info did not print a JSON array' };
  const chain: ChainNode[] = [];
  for (const info of json) {
    const node = isObject(info) ? nodeFromInfo(info) : undefined;
    if (!node) return { path, chain, error: 'qemu-img info printed an image without filename or format' };
    chain.push(node);
  }
  return { path, chain };
}

function nodeFromInfo(info: JsonObject): ChainNode | undefined {
  const filename = text(info, 'filename');
  const format = text(info, 'format');
  if (filename === undefined || format === undefined) return undefined;
  const node: ChainNode = { filename, format };
  const size = info['virtual-size'];
  if (typeof size === 'number' && Number.isSafeInteger(size)) node.virtualSize = size;
  const backingFile = text(info, 'backing-filename');
  if (backingFile !== undefined) node.backingFile = backingFile;
  const resolved = text(info, 'full-backing-filename');
  if (resolved !== undefined) node.backingFileResolved = resolved;
  const backingFormat = text(info, 'backing-filename-format');
  if (backingFormat !== undefined) node.backingFormat = backingFormat;
  addFormatSpecific(node, info['format-specific']);
  // qemu-img sets has_encrypted only when the image is encrypted (qemu-img.c collect_image_info).
  if (info['encrypted'] === true) node.encrypted = true;
  return node;
}

function addFormatSpecific(node: ChainNode, specific: unknown): void {
  if (!isObject(specific) || !isObject(specific['data'])) return;
  const data = specific['data'];
  if (specific['type'] === 'qcow2') {
    const dataFile = text(data, 'data-file');
    if (dataFile !== undefined) node.dataFile = dataFile;
  }
  if (specific['type'] === 'vmdk' && Array.isArray(data['extents'])) {
    const opened = data['extents'].map((e) => (isObject(e) ? text(e, 'filename') : undefined));
    const names = opened.filter((name): name is string => name !== undefined);
    const extents = descriptorExtents(node.filename, names);
    if (extents) node.extents = extents;
  }
}

/**
 * The descriptor's extent names back from the names qemu-img prints. vmdk_parse_extents (7.2
 * block/vmdk.c:1190-1205) joins a relative name to the image's folder and qemu-img prints the
 * joined name, so the folder is taken off again: resolving the result as vmdk does gives the
 * very path QEMU opened. (An absolute name inside the image's own folder comes back relative;
 * it still opens the same file.) A sparse image is its own single extent: QEMU ignores the
 * extent lines of its embedded descriptor, so it has no descriptor extents.
 */
export function descriptorExtents(filename: string, opened: readonly string[]): string[] | undefined {
  if (opened.length === 1 && opened[0] === filename) return undefined;
  const folder = filename.slice(0, filename.lastIndexOf('/') + 1);
  return opened.map((name) => (folder && name.startsWith(folder) ? name.slice(folder.length) : name));
}

/**
 * qemu-img's reason for failing, from its stderr: the last `qemu-img: ...` line without the
 * program name (error_report prefixes the basename of argv[0]), else the last line.
 */
export function qemuImgErrorLine(stderr: string, program = 'qemu-img'): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trimEnd())
    .filter(Boolean);
  const prefix = `${program.slice(program.lastIndexOf('/') + 1)}: `;
  const reported = lines.filter((line) => line.startsWith(prefix));
  const line = reported.at(-1) ?? lines.at(-1) ?? '';
  return line.startsWith(prefix) ? line.slice(prefix.length) : line;
}
