/**
 * The route-level security policy of the software token page (`/demo/token`, server.md §6.11): the policy of
 * every answer (OFFCODE_HELMET_OPTIONS of @offcode/fastify) plus WebAssembly compilation
 * (`'wasm-unsafe-eval'`) and `blob:` images (a QR picture chosen by the user, decoded in the page).
 */
import { OFFCODE_HELMET_OPTIONS } from '@offcode/fastify';
import type { HelmetOptions } from 'helmet';

const PAGE = OFFCODE_HELMET_OPTIONS.contentSecurityPolicy;

export const TOKEN_PAGE_HELMET = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      ...PAGE.directives,
      'script-src': ["'self'", "'wasm-unsafe-eval'"],
      'img-src': ["'self'", 'data:', 'blob:'],
    },
  },
} satisfies HelmetOptions;
