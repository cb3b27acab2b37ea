import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    payload: 'src/payload/index.ts',
    'operation-data': 'src/operation-data/index.ts',
    base64: 'src/base64.ts',
    keys: 'src/keys/index.ts',
    signature: 'src/signature.ts',
    'normalized-data': 'src/normalized-data.ts',
    totp: 'src/totp.ts',
    code: 'src/code.ts',
    'activation-code': 'src/activation-code.ts',
    pa3: 'src/pa3/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: false,
  sourcemap: true,
  treeshake: true,
  target: 'es2022',
});
