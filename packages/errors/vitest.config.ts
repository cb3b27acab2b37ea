import { offcodeVitestConfig } from '../../vitest.shared.js';

export default offcodeVitestConfig('@offcode/errors', { pool: 'threads' });
