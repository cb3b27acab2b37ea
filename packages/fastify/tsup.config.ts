import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/internal.ts'],
  // ESM only with shared chunks (Node >= 20.19 loads it from `require`): one copy of every class and state.
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
  platform: 'node',
});
