import { isOffcodeError, OffcodeBaseError } from '@offcode/errors';
import { describe, expect, it } from 'vitest';
import { DemoInputError } from '../src/demo/operations.js';
import { ConfigError } from '../src/start.js';

describe('the API errors extend OffcodeBaseError', () => {
  it('DemoInputError (a form problem) and ConfigError (the operator’s environment) are input errors', () => {
    const demo = new DemoInputError('enter a user ID');
    const config = new ConfigError(['config: OFFCODE_PORT must be 1..65535, got "x"']);
    for (const e of [demo, config]) {
      expect(e).toBeInstanceOf(OffcodeBaseError);
      expect(isOffcodeError(e)).toBe(true);
      expect(e.kind).toBe('input');
      expect(e.cause).toBeUndefined();
    }
    expect(demo.field).toBeNull();
    // The configuration error names the first setting at fault (the environment variable).
    expect(config.field).toBe('OFFCODE_PORT');
    expect([demo.code, demo.name, demo.message]).toEqual(['DEMO_INPUT', 'DemoInputError', 'enter a user ID']);
    expect([config.code, config.errors.length]).toEqual(['INVALID_CONFIG', 1]);
  });
});
