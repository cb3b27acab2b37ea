import { defineConfig } from 'tsup';

// ESM only with shared chunks: the root and `./pa3` (and `require()` of either, Node >= 20.19) share one
// copy of every class and module state.
export default defineConfig({
  entry: { index: 'src/index.ts', pa3: 'src/pa3/index.ts' },
  format: ['esm'],
  splitting: true,
  dts: true,
  clean: true,
  sourcemap: true,
  // Maps point at the sources without embedding them (tarballs carry no copy of src; release-check).
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  treeshake: true,
  target: 'es2022',
});
