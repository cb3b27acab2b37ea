import { describe, expect, it } from 'vitest';
import { HELMET_OPTIONS, SECURITY_HEADERS, TOKEN_PAGE_HELMET } from './security-headers.js';

describe('security headers', () => {
  it("are helmet's values for the configured options (frame protection, no referrer, nosniff, one policy)", () => {
    expect(SECURITY_HEADERS['X-Content-Type-Options']).toBe('nosniff');
    expect(SECURITY_HEADERS['Referrer-Policy']).toBe('no-referrer');
    expect(SECURITY_HEADERS['X-Frame-Options']).toBe('DENY');
    expect(SECURITY_HEADERS['Content-Security-Policy']).toBe(
      "default-src 'self';base-uri 'none';object-src 'none';frame-ancestors 'none';form-action 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self';connect-src 'self'",
    );
  });

  it('no policy allows inline code; only the token page may compile WebAssembly and show blob: images', () => {
    const page = HELMET_OPTIONS.contentSecurityPolicy.directives;
    const token = TOKEN_PAGE_HELMET.contentSecurityPolicy.directives;
    for (const directives of [page, token]) {
      expect(Object.values(directives).flat().join(' ')).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\*/);
    }
    expect(page['script-src']).toEqual(["'self'"]);
    expect(token['script-src']).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(token['img-src']).toContain('blob:');
    expect({ ...token, 'script-src': page['script-src'], 'img-src': page['img-src'] }).toEqual(page);
  });
});
