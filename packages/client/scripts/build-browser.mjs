// Builds the browser bundle (ESM, everything inlined: @offcode/protocol, the wasm engine as bytes, noble)
// after tsup, and first proves the core entry is platform-neutral: with esbuild `platform: "neutral"` any
// Node built-in import fails the build (client.md §6).
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'index.js');

await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'neutral',
  format: 'esm',
  mainFields: ['module', 'main'],
  conditions: ['import', 'default'],
  write: false,
  logLevel: 'error',
});

const outfile = join(root, 'dist', 'browser', 'offcode-client.js');
mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  legalComments: 'none',
  outfile,
  logLevel: 'error',
});
console.log(`browser bundle: ${outfile} (${Math.round(statSync(outfile).size / 1024)} KiB)`);
