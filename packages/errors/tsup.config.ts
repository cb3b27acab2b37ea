import { defineConfig } from 'tsup';

// ESM only (Node >= 20.19 loads it from `require` too): one module instance, so `instanceof` holds everywhere.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  clean: false,
  sourcemap: true,
  treeshake: true,
  target: 'es2022',
});
