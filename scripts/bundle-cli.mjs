// Bundles the CLI into dist/bundle so `blockgate check` loads a few files instead of resolving dozens of ES
// modules at start-up (most of its wall time on Node 20, which has no module compile cache). Commands a check
// does not use (profiles show, YAML profile files) stay in lazily loaded chunks.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names change with their content: start from an empty folder so stale chunks do not pile up.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  // The scan's read-ahead thread loads its own entry (src/host/facts-prefetch.ts).
  entryPoints: { main: 'src/cli/main.ts', 'facts-worker': 'src/host/facts-worker.ts' },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: 'dist/bundle',
  // Loaded lazily, only by commands that need them: resolve them from node_modules at run time.
  external: ['yaml', 'ajv', 'execa'],
  logLevel: 'warning',
  banner: {
    js:
      "import { createRequire as __createRequire } from 'node:module'; const require = " +
      '__createRequire(import.meta.url);',
  },
});
