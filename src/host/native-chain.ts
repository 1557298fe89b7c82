/** The backing chain read from headers on this host, without QEMU (see image/chain.ts). */
import type { ImageChain } from '../model/chain.js';
import type { ImageFacts, ProbeFormat } from '../model/image.js';
import { readChain, type ReadChainOptions } from '../image/chain.js';
import { PROBE_ORDER } from '../image/probe.js';
import { readImageFacts } from './image-facts.js';

const isImageFormat = (format: string): format is ProbeFormat => (PROBE_ORDER as readonly string[]).includes(format);

/** The chain of `path` as a program running in `cwd` would open it; each file is read once. */
export function readChainNatively(path: string, cwd: string, options: ReadChainOptions = {}): ImageChain {
  const memo = new Map<string, ImageFacts>();
  const read = (filename: string, format?: string): ImageFacts | undefined => {
    if (format !== undefined && !isImageFormat(format)) return undefined;
    const key = `${format ?? ''}\0${filename}`;
    let facts = memo.get(key);
    if (!facts) {
      facts = readImageFacts(filename, cwd, format);
      memo.set(key, facts);
    }
    return facts;
  };
  return readChain(path, read, options);
}
