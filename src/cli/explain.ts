import { InputError } from '../errors.js';

export async function runExplain(_message: string[], _options: { log?: string; profile?: string; json?: boolean }): Promise<void> {
  throw new InputError('explain is not implemented yet');
}
