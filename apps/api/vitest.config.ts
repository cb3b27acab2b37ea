import { mergeConfig } from 'vitest/config';
import { offcodeVitestConfig } from '../../vitest.shared.js';

export default mergeConfig(
  offcodeVitestConfig('@offcode/api', { testTimeout: 120_000, hookTimeout: 120_000, isolate: false }),
  {
    test: {
      globalSetup: ['./test/global-setup.ts'],
      // No maxWorkers here: the test command runs every package in one pool (root vitest.config.ts), where
      // projects may not differ in it.
    },
  },
);
