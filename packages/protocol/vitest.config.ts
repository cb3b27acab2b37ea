import { offcodeVitestConfig } from '../../vitest.shared.js';

export default offcodeVitestConfig('@offcode/protocol', { pool: 'threads' });
