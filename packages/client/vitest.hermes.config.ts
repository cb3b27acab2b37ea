// The token suite again, with WebAssembly and TextDecoder deleted (React Native / Hermes stand-in). The
// full-flow file is not part of it: the in-process server (PGlite) itself needs WebAssembly; test/hermes.test.ts
// covers activation against the real server in this environment.
import { offcodeVitestConfig } from '../../vitest.shared.js';

const config = offcodeVitestConfig('@offcode/client-hermes');
config.test = {
  ...config.test,
  include: [
    'src/token.test.ts',
    'src/activate.test.ts',
    'src/state.test.ts',
    'src/stores/*.test.ts',
    'src/activation-code.test.ts',
    'src/pin.test.ts',
    'src/powerauth/*.test.ts',
  ],
  setupFiles: ['test/hermes-setup.ts'],
};
export default config;
