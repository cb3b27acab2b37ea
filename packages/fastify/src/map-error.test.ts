import { OffcodeError, StorageError } from '@offcode/server';
import { describe, expect, it } from 'vitest';
import { httpStatusOf } from './errors.js';
import { mapError } from './map-error.js';
import { requestIdFrom } from './request-id.js';

describe('mapError', () => {
  it('keeps OffcodeError, rewrites ERR0000 to a generic message with the request id', () => {
    const e = new OffcodeError('ERR0009');
    expect(mapError(e, 'r1', 100)).toEqual({ error: e, internal: false });
    const internal = mapError(new OffcodeError('ERR0000', 'SQL detail'), 'r1', 100);
    expect(internal.internal).toBe(true);
    expect(internal.error.message).toBe('Unknown error occurred (request id r1).');
  });

  it('maps framework input errors to 400 ERR0024 naming body, and unknown throws to 500', () => {
    expect(mapError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }, 'r', 65536).error.message).toBe(
      'body - request body exceeds 65536 bytes',
    );
    expect(mapError({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }, 'r', 1).error.code).toBe(
      'ERR0024',
    );
    expect(mapError({ code: 'FST_ERR_BAD_URL', statusCode: 400 }, 'r', 1).error.field).toBe('body');
    const unknown = mapError(new TypeError('x is undefined'), 'r2', 1);
    expect(unknown.internal).toBe(true);
    expect(httpStatusOf(unknown.error)).toBe(500);
    expect(unknown.error.message).not.toContain('undefined');
    expect(mapError(new StorageError('busy', '55P03', null, null), 'r', 1).error.code).toBe('OFF-0201');
  });

  it('request ids: echoed when well-formed, else a UUID', () => {
    expect(requestIdFrom('abc-1.2:3_4')).toBe('abc-1.2:3_4');
    expect(requestIdFrom(['first', 'second'])).toBe('first');
    for (const bad of [undefined, '', 'a b', 'x'.repeat(129), 'ü', 'a\nb']) {
      expect(requestIdFrom(bad)).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
  });
});
