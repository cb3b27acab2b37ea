import { offcodeVitestConfig } from '../../vitest.shared.js';

export default offcodeVitestConfig('@offcode/server', { isolate: false });
