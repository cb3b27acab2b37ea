import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: false,
  sourcemap: true,
  treeshake: true,
  target: 'es2022',
  platform: 'node',
  define: { __OFFCODE_BUILD_TIME__: JSON.stringify(new Date().toISOString()) },
});
