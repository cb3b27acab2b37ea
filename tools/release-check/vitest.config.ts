import { offcodeVitestConfig } from '../../vitest.shared.js';

// Packing, npm installs and type analysis take tens of seconds on a shared machine.
export default offcodeVitestConfig('@offcode/release-check', { testTimeout: 180_000, hookTimeout: 180_000 });
