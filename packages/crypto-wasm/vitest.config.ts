import { offcodeVitestConfig } from '../../vitest.shared.js';

export default offcodeVitestConfig('@offcode/crypto-wasm', { pool: 'threads' });
