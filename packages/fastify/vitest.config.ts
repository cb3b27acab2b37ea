import { offcodeVitestConfig } from '../../vitest.shared.js';

export default offcodeVitestConfig('@offcode/fastify', { isolate: false });
