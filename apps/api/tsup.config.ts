import { defineConfig } from 'tsup';

// A private application: ESM only, no declarations. The browser bundle of the token page is built by
// scripts/build-token-page.mjs (esbuild) in the same `build` script.
export default defineConfig({
  entry: ['src/main.ts', 'src/index.ts'],
  format: ['esm'],
  dts: false,
  clean: false,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
});
