/**
 * One image judged whole: its chain read natively, what in it is unsafe, and whether the profile's
 * hypervisor opens it read-write. Reads only files inside the image's folder (or the scan's folder):
 * names that a hostile header points elsewhere (/etc/passwd, /dev/sda) are reported, never opened.
 */
import fs from 'node:fs';
import nodePath from 'node:path';
import type { ImageChain } from '../model/chain.js';
import type { ImageFacts, ProbeFormat } from '../model/image.js';
import type { Profile } from '../model/profile.js';
import type { ImageJudgement } from '../image/judgement.js';
import { readChain } from '../image/chain.js';
import { PROBE_ORDER } from '../image/probe.js';
import { readImageFacts } from './image-facts.js';
import { planCommand } from '../plan/plan.js';
import { evaluate } from '../engine/evaluate.js';
import { imageFindings, type NodeFacts } from '../image/safety.js';
import { isLocalPath } from '../qemu/filename.js';

export type { ImageJudgement } from '../image/judgement.js';

/** Deep enough for any real snapshot chain; the engine reports deeper ones as loops at the same depth. */
export const MAX_DEPTH = 256;

/** Reads one file as a program in the judge's folder would (readImageFacts); `format` names the header to read. */
export type FileReader = (filename: string, format?: ProbeFormat) => ImageFacts;

/** What one run learns about files, shared between the images of a scan: each base image is read once. */
export interface JudgeCache {
  /** Facts by absolute path, then by the format whose header was read ('' when probed). */
  facts: Map<string, Map<string, ImageFacts>>;
  /** Real path (symlinks followed) by absolute path. */
  places: Map<string, string>;
  /** Files some chain names (backing files, data files, extents): their facts are kept for the next chain. */
  named: Set<string>;
}

export const newJudgeCache = (): JudgeCache => ({ facts: new Map(), places: new Map(), named: new Set() });

export interface JudgeOptions {
  /** The format the caller says the top image has; without it QEMU probes, as `-drive file=` does. */
  format?: string;
  /** Files may be read in this folder and below (default: the image's folder). */
  root?: string;
  /** Also read files outside `root` that the chain names. */
  readOutside?: boolean;
  maxDepth?: number;
  /** How a file is read (default readImageFacts); tests record with it. */
  read?: FileReader;
  cache?: JudgeCache;
}

export function judgeImage(path: string, cwd: string, profile: Profile, options: JudgeOptions = {}): ImageJudgement {
  const cache = options.cache ?? newJudgeCache();
  const where = (full: string) => realPathOf(full, cache.places);
  const root = where(nodePath.resolve(cwd, options.root ?? nodePath.dirname(nodePath.resolve(cwd, path))));
  const top = nodePath.resolve(cwd, path);
  const files = new FileGuard(cwd, root, top, where, options, cache.facts, cache.named);
  const declared = options.format !== undefined && isImageFormat(options.format) ? options.format : undefined;
  // The top opens with the declared format, as format= makes QEMU open it; below it, as the chain reader asks.
  const read = (name: string, format?: string) =>
    files.read(name, format ?? (declared && files.full(name) === top ? declared : undefined));
  const maxDepth = options.maxDepth ?? MAX_DEPTH;
  const chain = explainStop(readChain(path, read, { maxDepth }), files, root);
  const findings = imageFindings(
    chain,
    {
      nodes: nodeFacts(chain, files),
      realPaths: realPaths(chain, cwd, where),
      ...(options.format ? { declaredFormat: options.format } : {}),
    },
    { maxDepth, cwd, root, qemuVersion: profile.qemu.version },
  );
  const command = hypervisorCommand(path, profile, options.format);
  const check = evaluate(
    planCommand(command, profile, (name) => files.read(name)),
    profile,
  );
  // A scan meets each image once as the image judged; only files that others' chains name are worth keeping.
  if (!cache.named.has(top)) cache.facts.delete(top);
  return { path, chain, command, check, findings };
}

/** `-drive file=PATH,if=none` on the profile's hypervisor: read-write, as a disk is attached. Commas double in -drive values. */
export function hypervisorCommand(path: string, profile: Profile, format?: string): string[] {
  const program = profile.qemu.hypervisors[0] ?? 'qemu-system-x86_64';
  const escaped = path.replaceAll(',', ',,');
  return [program, '-drive', `file=${escaped}${format ? `,format=${format}` : ''},if=none`];
}

const isImageFormat = (format: string): format is ProbeFormat => (PROBE_ORDER as readonly string[]).includes(format);

/** What was read for the chain's files, and for the name it stopped at, by the chain's spelling. */
function nodeFacts(chain: ImageChain, files: FileGuard): Map<string, NodeFacts> {
  const nodes = new Map<string, NodeFacts>();
  const add = (name: string) => {
    const facts = files.seen(name.startsWith('file:') ? name.slice(5) : name);
    if (facts) nodes.set(name, facts);
  };
  add(chain.path);
  for (const node of chain.chain) add(node.filename);
  const next = chain.chain[chain.chain.length - 1]?.backingFileResolved;
  if (next !== undefined) add(next);
  return nodes;
}

/** A chain that stops at a file outside the folder says so, in place of the reader's "Could not open". */
function explainStop(chain: ImageChain, files: FileGuard, root: string): ImageChain {
  const last = chain.chain[chain.chain.length - 1];
  const next = last ? last.backingFileResolved : undefined;
  if (next === undefined || !files.refused(next)) return chain;
  return { ...chain, error: `'${next}' was not read: it is outside ${root}` };
}

/**
 * Reads the image and local names inside `root`, each once per format (by absolute path), through the cache;
 * names outside give undefined, as a name that is not a local file does.
 */
class FileGuard {
  private readonly refusedNames = new Set<string>();
  private readonly fulls = new Map<string, string>();
  private readonly latest = new Map<string, ImageFacts>();
  private readonly reader: FileReader;

  constructor(
    private readonly cwd: string,
    private readonly root: string,
    private readonly top: string,
    private readonly where: (full: string) => string,
    private readonly options: JudgeOptions,
    private readonly cache: JudgeCache['facts'],
    private readonly named: JudgeCache['named'],
  ) {
    this.reader = options.read ?? ((name, format) => readImageFacts(name, cwd, format));
  }

  /** The absolute path of a name, resolved once per judgement (names come back several times). */
  full(name: string): string {
    let full = this.fulls.get(name);
    if (full === undefined) {
      full = nodePath.resolve(this.cwd, name);
      this.fulls.set(name, full);
    }
    return full;
  }

  read(name: string, format?: string): ImageFacts | undefined {
    if (!isLocalPath(name) || (format !== undefined && !isImageFormat(format))) return undefined;
    const full = this.full(name);
    if (!this.options.readOutside && full !== this.top && !inside(this.where(full), this.root)) {
      this.refusedNames.add(full);
      return undefined;
    }
    if (full !== this.top) this.named.add(full);
    let read = this.cache.get(full);
    if (!read) {
      read = new Map();
      this.cache.set(full, read);
    }
    let facts = read.get(format ?? '');
    if (!facts) {
      // A format that is the probed winner reads the same header: the probed read serves both.
      const probed = read.get('');
      facts = probed && probed.header?.format === format ? probed : this.reader(name, format);
      read.set(format ?? '', facts);
    }
    this.latest.set(full, facts);
    return facts;
  }

  /** What was last read for this name in this judgement, without reading. */
  seen(name: string): ImageFacts | undefined {
    return this.latest.get(this.full(name));
  }

  refused(name: string): boolean {
    return this.refusedNames.has(this.full(name));
  }
}

function inside(file: string, folder: string): boolean {
  return (
    file === folder ||
    (file.startsWith(folder) && (folder.endsWith('/') || file.charCodeAt(folder.length) === 47)) /* / */
  );
}

/**
 * Where a path really is once symlinks are followed (no file is read): the folder's real path, then an lstat of
 * the file itself; a missing file is placed in its folder. Cached by path for the run.
 */
function realPathOf(full: string, places: Map<string, string>): string {
  const known = places.get(full);
  if (known !== undefined) return known;
  const dir = nodePath.dirname(full);
  const realDir = dir === full ? full : realPathOf(dir, places);
  const st = fs.lstatSync(full, { throwIfNoEntry: false });
  let real = realDir === dir ? full : nodePath.join(realDir, nodePath.basename(full));
  if (st?.isSymbolicLink()) {
    try {
      real = fs.realpathSync.native(full);
    } catch {
      // a dangling link: where it points does not exist, so nothing can be read there
    }
  }
  places.set(full, real);
  return real;
}

/**
 * Real places of the local names the chain's headers hold, so that a symlink inside the folder cannot hide
 * /etc/passwd. Backing names and extents are taken from the image's folder; data files and `file:` names from
 * the working directory (QEMU 7.2 does not make them absolute).
 */
function realPaths(chain: ImageChain, cwd: string, where: (full: string) => string): Map<string, string> {
  const out = new Map<string, string>();
  const add = (dir: string, name: string) => {
    const prefixed = /^(file|host_device|host_cdrom):/.exec(name);
    const local = prefixed ? name.slice(prefixed[0].length) : name;
    if (!isLocalPath(local)) return;
    const full = nodePath.resolve(prefixed?.[1] === 'file' ? cwd : dir, local);
    out.set(full, where(full));
  };
  for (const node of chain.chain) {
    if (node.backingFile === undefined && node.dataFile === undefined && !node.extents?.length) continue;
    const full = nodePath.resolve(cwd, node.filename);
    if (node.backingFile !== undefined) add(nodePath.dirname(full), node.backingFile);
    if (node.dataFile !== undefined) add(cwd, node.dataFile);
    if (!node.extents?.length) continue;
    out.set(full, where(full)); // extents are judged against the descriptor's real folder
    for (const extent of node.extents) add(nodePath.dirname(full), extent);
  }
  return out;
}
