import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/node.ts', 'src/internal.ts'],
  // ESM only with shared chunks (Node >= 20.19 loads it from `require`): one copy of every class and state.
  format: ['esm'],
  splitting: true,
  // Declarations: bundled from the ones `tsc` emitted into build/dts (the package's one type check, src and
  // tests, in the same build script); tsup no longer runs a second TypeScript program over src.
  dts: {
    entry: {
      index: 'build/dts/src/index.d.ts',
      node: 'build/dts/src/node.d.ts',
      internal: 'build/dts/src/internal.d.ts',
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
