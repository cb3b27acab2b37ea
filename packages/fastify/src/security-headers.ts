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
import type { FastifyInstance } from 'fastify';
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

/** The header values helmet sets with `options`, as name → value (helmet's middleware run against a recorder). */
function recordHelmetHeaders(
  options: HelmetOptions = OFFCODE_HELMET_OPTIONS,
): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name];
    },
  };
  const middleware = helmet(options) as unknown as (
    req: object,
    res: typeof recorder,
    next: (error?: unknown) => void,
  ) => void;
  middleware({}, recorder, (error) => {
    if (error) throw error;
  });
  return headers;
}

/** The header values helmet sets with OFFCODE_HELMET_OPTIONS, as name → value, for answers written by hand. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = recordHelmetHeaders();

type HeaderList = readonly (readonly [string, string])[];
const headerList = (headers: Readonly<Record<string, string>>): HeaderList => Object.entries(headers);
const ROUTE_HEADERS = Symbol('offcodeSecurityHeaders');

/**
 * Helmet's headers on every answer of `app`, as `app.register(fastifyHelmet, options)` sets them (the same
 * values: helmet computes them), without building helmet's middleware for each request as @fastify/helmet
 * does (a new helmet instance and policy parse per request). The values are recorded once per route when it
 * is added; a route's `helmet` option (an object merged over `options`, or `false` for none) works as with
 * @fastify/helmet. Call it on the root instance before any route (like registering @fastify/helmet).
 */
export function addSecurityHeaders(
  app: FastifyInstance,
  options: HelmetOptions = OFFCODE_HELMET_OPTIONS,
): void {
  const global = headerList(recordHelmetHeaders(options));
  app.addHook('onRoute', (route) => {
    const own = (route as { helmet?: HelmetOptions | false }).helmet;
    if (own === undefined) return;
    if (own !== false && (typeof own !== 'object' || own === null))
      throw new Error('Unknown value for route helmet configuration');
    const list =
      own === false ? [] : headerList(recordHelmetHeaders(Object.assign({}, options, own) as HelmetOptions));
    route.config = Object.assign(route.config ?? Object.create(null), { [ROUTE_HEADERS]: list });
  });
  app.addHook('onRequest', (request, reply, done) => {
    const config = request.routeOptions.config as { [ROUTE_HEADERS]?: HeaderList };
    const list = config[ROUTE_HEADERS] ?? global;
    // Set on the raw answer, as helmet does, so hijacked and raw answers carry them too.
    for (const [name, value] of list) reply.raw.setHeader(name, value);
    done();
  });
}
