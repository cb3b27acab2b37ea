import { describe, expect, it } from 'vitest';
import { isOffcodeError, OFFCODE_ERROR_KINDS, OffcodeBaseError } from './index.js';

class SampleError extends OffcodeBaseError {
  override readonly name = 'SampleError';
  constructor(field: string | null, cause?: unknown) {
    super('input', 'SAMPLE', 'sample: bad', { field, cause });
  }
}

describe('OffcodeBaseError', () => {
  it('carries kind, code, field and cause, and is an Error', () => {
    const cause = new Error('low level');
    const e = new OffcodeBaseError('unavailable', 'BUSY', 'try later', { field: 'db', cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.kind).toBe('unavailable');
    expect(e.code).toBe('BUSY');
    expect(e.field).toBe('db');
    expect(e.cause).toBe(cause);
    expect(e.message).toBe('try later');
    expect(e.name).toBe('OffcodeBaseError');
  });

  it('defaults field and cause to null and undefined', () => {
    const e = new OffcodeBaseError('internal', 'BUG', 'oops');
    expect(e.field).toBeNull();
    expect(e.cause).toBeUndefined();
  });

  it('subclasses keep their own name and stay instances of the base', () => {
    const e = new SampleError('amount');
    expect(e).toBeInstanceOf(OffcodeBaseError);
    expect(e.name).toBe('SampleError');
    expect(e.field).toBe('amount');
    expect(isOffcodeError(e)).toBe(true);
  });

  it('refuses an unknown kind (a typo must not create an unclassified error)', () => {
    expect(() => new OffcodeBaseError('bogus' as never, 'X', 'x')).toThrow(TypeError);
    expect(OFFCODE_ERROR_KINDS).toEqual(['input', 'rejected', 'unavailable', 'internal']);
  });

  it('isOffcodeError is false for other values', () => {
    for (const v of [new Error('x'), null, undefined, 'ERR', { code: 'X', kind: 'input' }]) {
      expect(isOffcodeError(v)).toBe(false);
    }
  });
});
