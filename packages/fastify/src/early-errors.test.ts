import { describe, expect, it } from 'vitest';
import { clientErrorAnswer, frameworkErrorAnswer, rawErrorResponse } from './early-errors.js';
import { SECURITY_HEADERS } from './security-headers.js';

describe('answers written before routing', () => {
  it("maps Node's parser refusals: 431 headers, 408 timeouts, 400 for the rest (ERR0024 naming the part)", () => {
    for (const [code, status, field] of [
      ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'request'],
      ['ERR_HTTP_HEADERS_TIMEOUT', 408, 'request'],
      ['HPE_HEADER_OVERFLOW', 431, 'headers'],
      ['HPE_INVALID_METHOD', 400, 'request'],
      ['HPE_INVALID_HEADER_TOKEN', 400, 'request'],
      [undefined, 400, 'request'],
    ] as const) {
      const { status: s, error } = clientErrorAnswer(code);
      expect(s).toBe(status);
      expect(error.code).toBe('ERR0024');
      expect(error.message.startsWith(`${field} - `)).toBe(true);
    }
  });

  it('maps router failures to ERR0024 naming path, never the framework code', () => {
    expect(frameworkErrorAnswer('FST_ERR_BAD_URL', 100).message).toBe(
      'path - the request target is not a valid URL (malformed percent-escape)',
    );
    expect(frameworkErrorAnswer('FST_ERR_MAX_PARAM_LENGTH', 100).message).toBe(
      'path - a path parameter is longer than 100 characters',
    );
    expect(frameworkErrorAnswer('FST_ERR_ASYNC_CONSTRAINT', 100).message).toBe(
      'path - the request target could not be routed',
    );
  });

  it('writes a complete HTTP/1.1 answer: envelope, length, fresh request id, no-store, close, security headers', () => {
    const { status, error } = clientErrorAnswer('ERR_HTTP_REQUEST_TIMEOUT');
    const raw = rawErrorResponse(status, error);
    expect(raw).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(raw).toMatch(/\r\nX-Request-Id: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\r\n/);
    expect(raw).toContain('\r\nCache-Control: no-store\r\n');
    expect(raw).toContain('\r\nConnection: close\r\n');
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      expect(raw).toContain(`\r\n${name}: ${value}\r\n`);
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    expect(raw).toContain(`\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`);
    expect(JSON.parse(body)).toEqual({
      status: 'ERROR',
      responseObject: {
        code: 'ERR0024',
        message: 'request - the request was not received in time',
        localizedMessage: 'request - the request was not received in time',
      },
    });
    expect(rawErrorResponse(status, error)).not.toBe(raw); // a fresh request id each time
  });
});
