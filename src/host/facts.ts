import type { ImageFacts } from '../model/image.js';
import { readImageFacts } from './image-facts.js';
import { isLocalPath } from '../plan/filename.js';

/** Memoised image facts for the filenames a plan names, read relative to the program's working directory. */
export function factsReader(cwd: string): (filename: string, literal?: boolean) => ImageFacts | undefined {
  const cache = new Map<string, ImageFacts | undefined>();
  return (filename, literal = false) => {
    if (!literal && !isLocalPath(filename)) return undefined;
    if (!cache.has(filename)) cache.set(filename, readImageFacts(filename, cwd));
    return cache.get(filename);
  };
}

