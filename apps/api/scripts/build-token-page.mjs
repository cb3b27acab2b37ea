// Bundles the software token page (src/token-page/main.ts) for the browser: @offcode/client with
// @offcode/protocol and the wasm engine embedded as bytes, and jsQR. Output: dist/assets/token.js.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'assets', 'token.js');

export async function buildTokenPage() {
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(root, 'src', 'token-page', 'main.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = await buildTokenPage();
  console.log(`token page bundle: ${file} (${Math.round(statSync(file).size / 1024)} KiB)`);
}
