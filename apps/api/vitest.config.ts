import { mergeConfig } from 'vitest/config';
import { offcodeVitestConfig } from '../../vitest.shared.js';

export default mergeConfig(
  offcodeVitestConfig('@offcode/api', { testTimeout: 120_000, hookTimeout: 120_000 }),
  {
    test: {
      globalSetup: ['./test/global-setup.ts'],
      // Two shared cores: the browser and the child-process suites are heavy, so at most two files run at once.
      maxWorkers: 2,
    },
  },
);
