/**
 * Security headers (server.md §6.11) come from helmet (the application registers @fastify/helmet with
 * OFFCODE_HELMET_OPTIONS, so every routed answer carries them):
 * `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY` with CSP
 * `frame-ancestors 'none'`, and a content security policy that every HTML page lives with: no inline script
 * or style anywhere (the demo stylesheet and the docs initialiser are files), images from this origin or
 * `data:` URIs (QR codes).
 *
 * Answers written before routing (a malformed request target) or without any request object (Node's own
 * client errors) get the same header values: helmet's middleware run once against a recorder.
 */
import helmet, { type HelmetOptions } from 'helmet';

type Directives = Record<string, string[]>;

const PAGE_DIRECTIVES: Directives = {
  'default-src': ["'self'"],
  'base-uri': ["'none'"],
  'object-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
};

const policy = (directives: Directives) => ({ useDefaults: false, directives });

/**
 * Options of @fastify/helmet for every answer (JSON answers carry the page policy too: it costs nothing).
 * The application registers helmet with them; a page that needs more (apps/api's token page) extends the
 * directives in its route-level `helmet` option.
 */
export const OFFCODE_HELMET_OPTIONS = {
  contentSecurityPolicy: policy(PAGE_DIRECTIVES),
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
} satisfies HelmetOptions;

/** The header values helmet sets with OFFCODE_HELMET_OPTIONS, as name → value, for answers written by hand. */
function recordHelmetHeaders(): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name];
    },
  };
  const middleware = helmet(OFFCODE_HELMET_OPTIONS) as unknown as (
    req: object,
    res: typeof recorder,
    next: (error?: unknown) => void,
  ) => void;
  middleware({}, recorder, (error) => {
    if (error) throw error;
  });
  return headers;
}

export const SECURITY_HEADERS: Readonly<Record<string, string>> = recordHelmetHeaders();
