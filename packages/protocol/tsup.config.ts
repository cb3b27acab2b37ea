import { defineConfig } from 'tsup';

// ESM only with shared chunks: the root and `./pa3` (and `require()` of either, Node >= 20.19) share one
// copy of every class and module state.
export default defineConfig({
  entry: { index: 'src/index.ts', pa3: 'src/pa3/index.ts' },
  format: ['esm'],
  splitting: true,
  // Declarations: bundled from the ones `tsc` emitted into build/dts (the package's one type check, src and
  // tests, in the same build script); tsup no longer runs a second TypeScript program over src.
  dts: { entry: { index: 'build/dts/src/index.d.ts', pa3: 'build/dts/src/pa3/index.d.ts' } },
  clean: true,
  sourcemap: true,
  // Maps point at the sources without embedding them (tarballs carry no copy of src; release-check).
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  treeshake: true,
  target: 'es2022',
});
