/**
 * Every answer in the envelope, with the security headers (server.md §1.3, §6.11; issue 10 items 5 and 6):
 * malformed percent-escapes, over-long path parameters, unknown routes, wrong methods, and the requests
 * Node's HTTP parser refuses itself (bad or oversized headers, a malformed request line, a broken body
 * framing) are all answered over a raw socket with the PowerAuth error envelope, `X-Request-Id`,
 * `Cache-Control: no-store` and helmet's headers, never echoing the request target or naming the framework.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../src/start.js';
import { type RawResponse, rawHttpRequest, rawRequest, startTestApi, UUID_RE } from './harness.js';

let api: RunningApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

/** Appears in every request target below: an answer that contains it echoed the URL. */
const MARKER = 'zq-marker-7741';

function expectSecurityHeaders(r: RawResponse, what: string): void {
  expect(r.headers['x-content-type-options'], what).toBe('nosniff');
  expect(r.headers['referrer-policy'], what).toBe('no-referrer');
  expect(r.headers['x-frame-options'], what).toBe('DENY');
  expect(r.headers['content-security-policy'], what).toContain("frame-ancestors 'none'");
}

function expectEnvelope(r: RawResponse, status: number, code: string, what: string): string {
  const detail = `${what} → ${r.raw.slice(0, 400)}`;
  expect(r.status, detail).toBe(status);
  expect(r.headers['content-type'], detail).toBe('application/json; charset=utf-8');
  expect(r.headers['cache-control'], detail).toBe('no-store');
  expect(r.headers['x-request-id'], detail).toMatch(UUID_RE);
  expectSecurityHeaders(r, detail);
  const body = JSON.parse(r.body) as { status: string; responseObject: Record<string, string> };
  expect(body.status, detail).toBe('ERROR');
  expect(body.responseObject.code, detail).toBe(code);
  expect(body.responseObject.localizedMessage, detail).toBe(body.responseObject.message);
  for (const leak of [MARKER, 'FST_', 'Fastify', 'fastify', 'find-my-way', 'HPE_']) {
    expect(r.raw, `${detail}: must not contain ${leak}`).not.toContain(leak);
  }
  return body.responseObject.message ?? '';
}

const send = (request: string): Promise<RawResponse> => rawRequest(api.url, request);

describe('router-level answers', () => {
  it('malformed percent-escapes → 400 ERR0024 naming path', async () => {
    for (const target of [
      `/rest/v3/${MARKER}%zz`,
      `/rest/v3/status%`,
      `/${MARKER}/%E0%A4%A`,
      `/demo/operation/%ff${MARKER}`,
      `http://offcode.test/${MARKER}/%g0`,
    ]) {
      for (const method of ['GET', 'POST']) {
        const r = await send(rawHttpRequest(method, target, method === 'POST' ? { body: '{}' } : {}));
        const message = expectEnvelope(r, 400, 'ERR0024', `${method} ${target}`);
        expect(message).toMatch(/^path - /);
      }
    }
  });

  it('an over-long path parameter → 400 ERR0024 naming path', async () => {
    const r = await send(rawHttpRequest('GET', `/demo/operation/${MARKER}${'a'.repeat(200)}`));
    expect(expectEnvelope(r, 400, 'ERR0024', 'long parameter')).toBe(
      'path - a path parameter is longer than 100 characters',
    );
  });

  it('unknown routes → 404 ERROR_NOT_FOUND; "*" and a fragment in the absolute form are answered in the envelope too', async () => {
    for (const [method, target] of [
      ['GET', `/${MARKER}`],
      ['POST', `/rest/v3/${MARKER}`],
      ['GET', `/rest/v3/${MARKER}/`],
    ] as const) {
      expectEnvelope(await send(rawHttpRequest(method, target)), 404, 'ERROR_NOT_FOUND', target);
    }
    // find-my-way reads "*" as the root path: no OPTIONS route there, so 405 with the root's methods.
    const star = await send(rawHttpRequest('OPTIONS', '*'));
    expectEnvelope(star, 405, 'OFF-0002', 'OPTIONS *');
    expect(star.headers.allow).toBe('GET, HEAD');
    // A fragment in an absolute-form target is refused by the router as a bad URL.
    const fragment = await send(rawHttpRequest('GET', `HTTP://offcode.test:1/${MARKER}?x#`));
    expect(expectEnvelope(fragment, 400, 'ERR0024', 'absolute form with a fragment')).toMatch(/^path - /);
  });

  it('wrong methods → 405 OFF-0002 with Allow, on static and parameter routes, in any spelling', async () => {
    const cases = [
      ['DELETE', `/rest/v3/status?${MARKER}`, 'GET, HEAD, POST'],
      ['PUT', `http://offcode.test/rest/v4/%73tatus?${MARKER}`, 'GET, HEAD, POST'],
      ['GET', '/rest/v3/signature/offline/verify', 'POST'],
      ['GET', `/demo/operation/${randomUUID()}/verify`, 'POST'],
      ['DELETE', `/demo/operation/${randomUUID()}`, 'GET, HEAD'],
      ['POST', '/healthz', 'GET, HEAD'],
    ] as const;
    for (const [method, target, allow] of cases) {
      const r = await send(rawHttpRequest(method, target));
      const message = expectEnvelope(r, 405, 'OFF-0002', `${method} ${target}`);
      expect(r.headers.allow, target).toBe(allow);
      expect(message).toBe(`Method ${method} is not allowed on this path.`);
    }
  });
});

describe("requests Node's HTTP parser refuses", () => {
  it('oversized headers → 431, bad header names, request lines, lengths and chunks → 400, all in the envelope', async () => {
    const cases: [string, string, number][] = [
      ['header overflow', `GET /${MARKER} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
      ['space in a header name', `GET /${MARKER} HTTP/1.1\r\nHo st: x\r\n\r\n`, 400],
      ['not HTTP', `GARBAGE ${MARKER}\r\n\r\n`, 400],
      ['space in the request target', `GET /${MARKER} x HTTP/1.1\r\nHost: x\r\n\r\n`, 400],
      ['control character in the target', `GET /${MARKER}\u0001 HTTP/1.1\r\nHost: x\r\n\r\n`, 400],
      [
        'bad Content-Length',
        `POST /rest/v3/status HTTP/1.1\r\nHost: x\r\nContent-Length: ${MARKER}\r\n\r\n`,
        400,
      ],
      [
        'Content-Length and chunked',
        'POST /rest/v3/status HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        400,
      ],
      [
        'broken chunk size',
        `POST /rest/v3/status HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n${MARKER}\r\n`,
        400,
      ],
      ['lower-case method', `get /rest/v3/status HTTP/1.1\r\nHost: x\r\n\r\n`, 400],
    ];
    for (const [what, request, status] of cases) {
      const r = await send(request);
      const message = expectEnvelope(r, status, 'ERR0024', what);
      expect(r.headers.connection, what).toBe('close');
      expect(message, what).toMatch(status === 431 ? /^headers - / : /^request - /);
    }
    // The server is still serving.
    expect((await send(rawHttpRequest('GET', '/healthz'))).status).toBe(200);
  });
});

describe('security headers on every answer', () => {
  it('JSON, text, HTML, assets, redirects and errors all carry them; HTML pages carry a policy without inline allowances', async () => {
    const paths = [
      ['GET', '/rest/v3/status'],
      ['POST', '/rest/v3/application/list'],
      ['POST', '/rest/v3/activation/status'],
      ['GET', '/healthz'],
      ['GET', '/metrics'],
      ['GET', '/openapi.json'],
      ['GET', '/docs'],
      ['GET', '/docs/init.js'],
      ['GET', '/docs/swagger-ui.css'],
      ['GET', '/'],
      ['GET', '/demo'],
      ['GET', '/demo/enrol'],
      ['GET', '/demo/operation/new'],
      ['GET', `/demo/operation/${randomUUID()}`],
      ['GET', '/demo/token'],
      ['GET', '/demo/assets/token.js'],
      ['GET', '/demo/assets/demo.css'],
    ] as const;
    for (const [method, path] of paths) {
      const r = await send(rawHttpRequest(method, path, method === 'POST' ? { body: '{}' } : {}));
      expectSecurityHeaders(r, path);
      expect(r.headers['cache-control'], path).toBe('no-store');
      expect(r.headers['x-request-id'], path).toMatch(UUID_RE);
      const csp = r.headers['content-security-policy'] ?? '';
      expect(csp, path).not.toContain('unsafe-inline');
      expect(csp, path).toContain("script-src 'self'");
      expect(csp.includes('wasm-unsafe-eval'), path).toBe(path === '/demo/token');
      if ((r.headers['content-type'] ?? '').startsWith('text/html')) {
        expect(r.body, `${path}: inline style`).not.toMatch(/<style|\sstyle=/);
        expect(r.body, `${path}: inline script`).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      }
    }
  });
});
