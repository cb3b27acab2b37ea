import { isOffcodeError, OffcodeBaseError } from '@offcode/errors';
import { describe, expect, it } from 'vitest';
import { LockfileError } from './errors.js';

describe('LockfileError on the common base class', () => {
  it('carries code, field, kind and cause; LOCKED and IO are unavailable, INVALID_ARGUMENT is input', () => {
    const cause = Object.assign(new Error('EACCES'), { code: 'EACCES' });
    const io = new LockfileError('IO', 'the lock file cannot be created', { cause });
    expect(io).toBeInstanceOf(OffcodeBaseError);
    expect(isOffcodeError(io)).toBe(true);
    expect([io.code, io.field, io.kind, io.cause, io.holder]).toEqual([
      'IO',
      null,
      'unavailable',
      cause,
      null,
    ]);
    const holder = { pid: 1, hostname: 'h', acquiredAt: '2025-05-01T10:00:00.000Z' };
    expect(new LockfileError('LOCKED', 'held', { holder })).toMatchObject({ kind: 'unavailable', holder });
    expect(new LockfileError('INVALID_ARGUMENT', 'path must not be empty').kind).toBe('input');
  });
});
