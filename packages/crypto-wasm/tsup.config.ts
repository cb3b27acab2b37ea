import { defineConfig } from 'tsup';

// ESM only with shared chunks: every entry (and `require()` of it, Node >= 20.19) shares one copy of each
// class and of the process-wide wasm and noble instances.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    wasm: 'src/wasm-entry.ts',
    internal: 'src/internal.ts',
    native: 'src/native.ts',
  },
  format: ['esm'],
  splitting: true,
  // Declarations: bundled from the ones `tsc` emitted into build/dts (the package's one type check, src and
  // tests, in the same build script); tsup no longer runs a second TypeScript program over src.
  dts: {
    entry: {
      index: 'build/dts/src/index.d.ts',
      wasm: 'build/dts/src/wasm-entry.d.ts',
      internal: 'build/dts/src/internal.d.ts',
      native: 'build/dts/src/native.d.ts',
    },
  },
  clean: true,
  sourcemap: true,
  // Maps point at the sources without embedding them (tarballs carry no copy of src; release-check).
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  treeshake: true,
  target: 'es2022',
});
