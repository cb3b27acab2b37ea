import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/internal.ts'],
  // ESM only with shared chunks (Node >= 20.19 loads it from `require`): one copy of every class and state.
  format: ['esm'],
  splitting: true,
  dts: true,
  clean: true,
  sourcemap: true,
  treeshake: true,
  target: 'es2022',
  platform: 'node',
});
