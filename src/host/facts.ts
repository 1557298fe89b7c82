import type { ImageFacts, ProbeFormat } from '../model/image.js';
import { readImageFacts } from './image-facts.js';
import { isLocalPath } from '../qemu/filename.js';

/**
 * Memoised image facts for the filenames a plan names, read relative to the program's working directory. With
 * `format`, the header is that format's (a declared driver reads its own header even when probing says otherwise).
 */
export function factsReader(
  cwd: string,
): (filename: string, literal?: boolean, format?: ProbeFormat) => ImageFacts | undefined {
  const cache = new Map<string, ImageFacts | undefined>();
  const read = (filename: string, format?: ProbeFormat): ImageFacts | undefined => {
    const key = `${format ?? ''}\0${filename}`;
    if (!cache.has(key)) cache.set(key, readImageFacts(filename, cwd, format));
    return cache.get(key);
  };
  return (filename, literal = false, format) => {
    if (!literal && !isLocalPath(filename)) return undefined;
    const probed = read(filename);
    return format === undefined || !probed?.header || probed.header.format === format ? probed : read(filename, format);
  };
}
