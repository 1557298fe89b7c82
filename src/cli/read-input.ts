import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';

/** A file the user names, or `-` for standard input (virsh dumpxml guest | blockgate check --domain -). */
export function readInput(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new InputError(
      `cannot read ${path === '-' ? 'standard input' : path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}
