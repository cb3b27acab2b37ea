import { isOffcodeError, OffcodeBaseError } from '@offcode/errors';
import { describe, expect, it } from 'vitest';
import { OffcodeClientError } from './errors.js';

describe('OffcodeClientError on the common base class', () => {
  it('carries code, field, kind and cause', () => {
    const cause = new Error('socket hang up');
    const e = new OffcodeClientError('NETWORK_ERROR', 'the server is unreachable', { cause });
    expect(e).toBeInstanceOf(OffcodeBaseError);
    expect(isOffcodeError(e)).toBe(true);
    expect([e.code, e.field, e.kind, e.cause]).toEqual(['NETWORK_ERROR', null, 'unavailable', cause]);
    const input = new OffcodeClientError('INVALID_INPUT', 'pin must be a string', { field: 'pin' });
    expect([input.kind, input.field]).toEqual(['input', 'pin']);
    expect(new OffcodeClientError('WRONG_ACTIVATION', 'x').kind).toBe('rejected');
    expect(new OffcodeClientError('CRYPTO_UNAVAILABLE', 'x').kind).toBe('internal');
  });
});
