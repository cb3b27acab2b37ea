import { OFFCODE_HELMET_OPTIONS } from '@offcode/fastify';
import { describe, expect, it } from 'vitest';
import { TOKEN_PAGE_HELMET } from './security-headers.js';

describe('token page policy', () => {
  it('is the policy of every answer plus WebAssembly and blob: images, no inline code', () => {
    const page = OFFCODE_HELMET_OPTIONS.contentSecurityPolicy.directives;
    const token = TOKEN_PAGE_HELMET.contentSecurityPolicy.directives;
    expect(Object.values(token).flat().join(' ')).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\*/);
    expect(token['script-src']).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(token['img-src']).toContain('blob:');
    expect({ ...token, 'script-src': page['script-src'], 'img-src': page['img-src'] }).toEqual(page);
  });
});
