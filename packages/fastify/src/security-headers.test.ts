import { describe, expect, it } from 'vitest';
import { OFFCODE_HELMET_OPTIONS, SECURITY_HEADERS } from './security-headers.js';

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
});
