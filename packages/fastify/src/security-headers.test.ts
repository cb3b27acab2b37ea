import fastifyHelmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { addSecurityHeaders, OFFCODE_HELMET_OPTIONS, SECURITY_HEADERS } from './security-headers.js';

const PAGE_HELMET = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      ...OFFCODE_HELMET_OPTIONS.contentSecurityPolicy.directives,
      'img-src': ["'self'", 'blob:'],
    },
  },
};

/** Every answer's headers except the ones that differ per answer, over real HTTP. */
async function headersOf(
  app: FastifyInstance,
  paths: string[],
): Promise<Record<string, Record<string, string>>> {
  app.get('/json', async () => ({ ok: true }));
  app.get('/page', { helmet: PAGE_HELMET } as object, async () => 'page');
  app.get('/bare', { helmet: false } as object, async () => 'bare');
  app.get('/raw', (_request, reply) => {
    reply.hijack();
    reply.raw.end('raw');
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const out: Record<string, Record<string, string>> = {};
    for (const path of paths) {
      const res = await fetch(url + path);
      await res.text();
      const h: Record<string, string> = {};
      res.headers.forEach((value, name) => {
        h[name] = value;
      });
      for (const name of ['date', 'content-length', 'keep-alive', 'connection']) delete h[name];
      out[path] = h;
    }
    return out;
  } finally {
    await app.close();
  }
}

describe('security headers', () => {
  it("are helmet's values for the configured options (frame protection, no referrer, nosniff, one policy)", () => {
    expect(SECURITY_HEADERS['X-Content-Type-Options']).toBe('nosniff');
    expect(SECURITY_HEADERS['Referrer-Policy']).toBe('no-referrer');
    expect(SECURITY_HEADERS['X-Frame-Options']).toBe('DENY');
    expect(SECURITY_HEADERS['Content-Security-Policy']).toBe(
      "default-src 'self';base-uri 'none';object-src 'none';frame-ancestors 'none';form-action 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self';connect-src 'self'",
    );
  });

  it('no directive allows inline code, eval or any origin', () => {
    const directives = OFFCODE_HELMET_OPTIONS.contentSecurityPolicy.directives;
    expect(Object.values(directives).flat().join(' ')).not.toMatch(
      /'unsafe-inline'|'unsafe-eval'|wasm|blob:|\*/,
    );
    expect(directives['script-src']).toEqual(["'self'"]);
  });

  it('addSecurityHeaders answers exactly what @fastify/helmet does: global, route options, helmet: false, 404, hijacked', async () => {
    const paths = ['/json', '/page', '/bare', '/raw', '/missing'];
    const withPlugin = Fastify();
    await withPlugin.register(fastifyHelmet, OFFCODE_HELMET_OPTIONS);
    const ours = Fastify();
    addSecurityHeaders(ours);
    const expected = await headersOf(withPlugin, paths);
    const got = await headersOf(ours, paths);
    expect(got).toEqual(expected);
    expect(got['/json']!['content-security-policy']).toBe(SECURITY_HEADERS['Content-Security-Policy']);
    expect(got['/page']!['content-security-policy']).toContain("img-src 'self' blob:");
    expect(got['/bare']!['x-frame-options']).toBeUndefined();
    expect(got['/raw']!['x-frame-options']).toBe('DENY');
    expect(got['/missing']!['x-content-type-options']).toBe('nosniff');
    const bad = Fastify();
    addSecurityHeaders(bad);
    expect(() => bad.get('/x', { helmet: true } as object, async () => 'x')).toThrow(/helmet configuration/);
  });
});
