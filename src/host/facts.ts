import type { ImageFacts } from '../model/image.js';
import { readImageFacts } from './image-facts.js';

/** Memoised image facts for the filenames a plan names, read relative to the program's working directory. */
export function factsReader(cwd: string): (filename: string, literal?: boolean) => ImageFacts | undefined {
  const cache = new Map<string, ImageFacts | undefined>();
  return (filename, literal = false) => {
    if (!literal && !isLocalPath(filename)) return undefined;
    if (!cache.has(filename)) cache.set(filename, readImageFacts(filename, cwd));
    return cache.get(filename);
  };
}

/** Only plain paths are looked at: never a URL, a json: filename or anything with a protocol prefix. */
function isLocalPath(filename: string): boolean {
  if (filename === '' || filename.startsWith('json:')) return false;
  const colon = filename.indexOf(':');
  const slash = filename.indexOf('/');
  return colon < 0 || (slash >= 0 && slash < colon);
}
