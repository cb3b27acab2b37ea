import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  // ESM only, like every Offcode package (Node >= 20.19 loads it from `require` too).
  format: ['esm'],
  dts: true,
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
