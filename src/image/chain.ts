/**
 * The backing chain from image headers alone, followed the way `qemu-img info --backing-chain`
 * follows it (qemu-img.c collect_image_info_list in 7.2): each image opened by the name the one
 * above reports as its full backing filename, with the recorded backing format or else probed.
 * Pure: the files are read by the injected `read` (host/native-chain.ts wires readImageFacts).
 */
import type { ChainNode, ImageChain } from '../model/chain.js';
import type { ImageFacts, ImageHeader } from '../model/image.js';
import { classifyFilename, resolveBacking } from '../qemu/filename.js';
import { refusalText } from './header.js';
import { PROBE_ORDER } from './probe.js';

/** Facts about `filename` opened from the reader's folder; `format` is an image format or none (probe). */
export type ReadFacts = (filename: string, format?: string) => ImageFacts | undefined;

export interface ReadChainOptions {
  /** qemu-img has no limit; a native reader stops here. */
  maxDepth?: number;
}

/** What opening one name gave: a node, a reason to stop quietly (not a local file), or QEMU's error. */
type Opened = { node: ChainNode } | { stop: true } | { error: string };

/** vmdk_parse_extents (7.2 block/vmdk.c:1166-1188) opens only these, and only with RW access. */
const OPENED_EXTENT_TYPES = ['FLAT', 'SPARSE', 'VMFS', 'VMFSSPARSE', 'SESPARSE'];

const IMAGE_FORMATS: readonly string[] = PROBE_ORDER;

export function readChain(path: string, read: ReadFacts, { maxDepth = 64 }: ReadChainOptions = {}): ImageChain {
  const chain: ChainNode[] = [];
  // qemu-img compares the names as strings: ./a and a are different images to it.
  const seen = new Set<string>();
  let name: string | undefined = path;
  let format: string | undefined;
  while (name !== undefined) {
    if (seen.has(name)) return { path, chain, error: `Backing file '${name}' creates an infinite loop.` };
    seen.add(name);
    if (chain.length >= maxDepth) return { path, chain, error: `Backing chain is longer than ${maxDepth} images` };
    const opened = openImage(name, format, read);
    if ('error' in opened) return { path, chain, error: opened.error };
    if ('stop' in opened) break;
    chain.push(opened.node);
    name = opened.node.backingFileResolved;
    format = opened.node.backingFormat;
  }
  return { path, chain };
}

/** img_open of one chain element, as far as headers can tell; `name` is what qemu-img was given. */
function openImage(name: string, format: string | undefined, read: ReadFacts): Opened {
  const kind = classifyFilename(name);
  if (kind.kind === 'protocol' && kind.driver === undefined) {
    return { error: `Could not open '${name}': Unknown protocol '${kind.prefix}'` };
  }
  // Remote, json: and device names are QEMU's to open: the chain ends here.
  if (kind.kind !== 'file') return { stop: true };
  if (format === 'host_device' || format === 'host_cdrom') return { stop: true };
  if (format !== undefined && format !== 'file' && !IMAGE_FORMATS.includes(format)) {
    return { error: `Could not open '${name}': Unknown driver '${format}'` };
  }
  // raw_parse_filename strips "file:", and the node is named without it.
  const filename = kind.path;
  const facts = read(filename, format === 'file' ? undefined : format);
  if (!facts) return { error: `Could not open '${name}': Could not open '${filename}'` };
  const refused = refusal(name, filename, facts);
  if (refused !== undefined) return refused;
  const { kind: fileKind, size, header } = facts;
  if (fileKind === 'block-device' || fileKind === 'char-device') return { stop: true };
  if (format === 'file') return { node: fileNode(filename, size) };
  if (!header) return { error: `Could not open '${name}': no header was read` };
  const headerRefusal = refusalText(header, filename);
  if (headerRefusal !== undefined) return { error: `Could not open '${name}': ${headerRefusal}` };
  return { node: nodeFromHeader(filename, header) };
}

/** The protocol driver alone: bdrv_getlength counts whole sectors (7.2 block.c:5815), so 1000 bytes are 1024. */
function fileNode(filename: string, size: number | undefined): ChainNode {
  return size === undefined
    ? { filename, format: 'file' }
    : { filename, format: 'file', virtualSize: Math.ceil(size / 512) * 512 };
}

/** What file-posix says when the file itself cannot be opened (raw_open_common, 7.2 file-posix.c). */
function refusal(name: string, filename: string, facts: ImageFacts): Opened | undefined {
  if (facts.error) return { error: `Could not open '${name}': Could not open '${filename}': ${facts.error}` };
  if (!facts.exists)
    return { error: `Could not open '${name}': Could not open '${filename}': No such file or directory` };
  if (facts.kind === 'directory' || facts.kind === 'other') {
    return { error: `Could not open '${name}': 'file' driver requires '${filename}' to be a regular file` };
  }
  return undefined;
}

function nodeFromHeader(filename: string, header: ImageHeader): ChainNode {
  const node: ChainNode = { filename, format: header.format };
  if (header.virtualSize !== undefined) node.virtualSize = header.virtualSize;
  if (header.backingFile) {
    node.backingFile = header.backingFile;
    node.backingFileResolved = resolveBacking(filename, header.backingFile);
  }
  if (header.backingFormat !== undefined) node.backingFormat = header.backingFormat;
  if (header.dataFile !== undefined) node.dataFile = header.dataFile;
  if (header.extents) {
    node.extents = header.extents
      .filter((e) => e.access === 'RW' && OPENED_EXTENT_TYPES.includes(e.type))
      .map((e) => e.filename);
  }
  if (header.encrypted) node.encrypted = true;
  return node;
}
