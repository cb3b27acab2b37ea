import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  // ESM only, like every Offcode package (Node >= 20.19 loads it from `require` too).
  format: ['esm'],
  // Declarations: bundled from the ones `tsc` emitted into build/dts (the package's one type check, src and
  // tests, in the same build script); tsup no longer runs a second TypeScript program over src.
  dts: { entry: { index: 'build/dts/src/index.d.ts' } },
  clean: true,
  sourcemap: true,
  // Maps point at the sources without embedding them (tarballs carry no copy of src; release-check).
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  treeshake: true,
  target: 'es2022',
  platform: 'node',
});
