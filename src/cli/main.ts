import { CommanderError } from 'commander';
import { InputError } from '../errors.js';
import { buildProgram } from './program.js';
import { toolMeta } from './meta.js';

// `blockgate profiles | head`: a reader that went away is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

/** Exit status: 0 opens, 1 fails, 2 bad input. Commands set process.exitCode; nothing here calls process.exit on success. */
const program = buildProgram(toolMeta().version);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitFor(error);
}

function exitFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof InputError) {
    process.stderr.write(`blockgate: ${error.message}\n`);
    return 2;
  }
  throw error;
}
