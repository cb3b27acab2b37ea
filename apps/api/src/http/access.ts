/**
 * Who may call what (server.md §1.5): every route the API serves is classified here, in one table, and the
 * authorization hook reads the class of the route the router MATCHED (`request.routeOptions.config.access`),
 * never the request target. The router accepts many spellings of one path (percent-escapes, the absolute
 * form `http://host/…`, query strings); deciding on the matched route makes all of them equal.
 *
 * - `protected`: needs the integration credentials when OFFCODE_INTEGRATION_CREDENTIALS is set (the
 *   PowerAuth-compatible methods, metrics, the demo);
 * - `device`: called by the token itself and guarded by its own cryptography (the key exchange);
 * - `public`: reveals nothing and changes nothing (health, OpenAPI and its viewer, the `/` redirect).
 */

import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import FindMyWay from 'find-my-way';
import { REST_METHODS } from '../rest/methods.js';
import type { CredentialChecker } from './credentials.js';

export type RouteAccess = 'protected' | 'device' | 'public';
export const ROUTE_ACCESS_CLASSES: readonly RouteAccess[] = ['protected', 'device', 'public'];

/** Routes outside the REST method table (whose entries carry their own `access`), by route template. */
const OTHER_ROUTES: Readonly<Record<string, RouteAccess>> = {
  '/healthz': 'public',
  '/openapi.json': 'public',
  '/docs': 'public',
  '/docs/init.js': 'public',
  '/docs/swagger-ui.css': 'public',
  '/docs/swagger-ui-bundle.js': 'public',
  // Request counts and latencies per route: operational detail an outsider has no business reading.
  '/metrics': 'protected',
  // Only a redirect to /demo (which is protected).
  '/': 'public',
  // The demo creates activations, blocks users through failed attempts and shows operations: with
  // credentials configured it needs them like the REST methods it stands for (pages, forms and assets).
  '/demo': 'protected',
  '/demo/enrol': 'protected',
  '/demo/operation/new': 'protected',
  '/demo/operation': 'protected',
  '/demo/operation/:id': 'protected',
  '/demo/operation/:id/qr.png': 'protected',
  '/demo/operation/:id/qr.svg': 'protected',
  '/demo/operation/:id/verify': 'protected',
  '/demo/operation/:id/result': 'protected',
  '/demo/token': 'protected',
  '/demo/assets/token.js': 'protected',
  '/demo/assets/token.js.map': 'protected',
  '/demo/assets/demo.css': 'protected',
};

/** The one table: route template → class (REST method table entries plus the routes above). */
export const ROUTE_ACCESS: ReadonlyMap<string, RouteAccess> = new Map<string, RouteAccess>([
  ...REST_METHODS.flatMap((m) => m.paths.map((p): [string, RouteAccess] => [p, m.access])),
  ...Object.entries(OTHER_ROUTES),
]);

export interface RegisteredRoute {
  method: string;
  url: string;
  access: RouteAccess;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by the classification hook from ROUTE_ACCESS for every route. */
    access?: RouteAccess;
  }
}

const registered = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route registered on `app` so far, with its class (tests enumerate them). */
export const registeredRoutes = (app: FastifyInstance): readonly RegisteredRoute[] =>
  registered.get(app) ?? [];

/**
 * Installs the `onRoute` hook that gives each route its class from ROUTE_ACCESS and refuses (throws at build
 * time) a route that has none. Returns a lookup for 405 answers: the allowed methods for a request target,
 * found by a second router with the same matching rules as Fastify's.
 */
export function classifyRoutes(app: FastifyInstance): { allowedMethods(url: string): string[] } {
  const routes: RegisteredRoute[] = [];
  registered.set(app, routes);
  const mirror = FindMyWay({
    ignoreTrailingSlash: false,
    ignoreDuplicateSlashes: false,
    caseSensitive: true,
  });
  const methods = new Set<string>();
  app.addHook('onRoute', (route: RouteOptions) => {
    const access = ROUTE_ACCESS.get(route.url);
    const list = Array.isArray(route.method) ? route.method : [route.method];
    if (access === undefined) {
      throw new Error(
        `route ${list.join(',')} ${route.url} has no access class: add it to ROUTE_ACCESS (apps/api/src/http/access.ts)`,
      );
    }
    route.config = { ...route.config, access };
    for (const method of list) {
      routes.push({ method, url: route.url, access });
      methods.add(method);
      mirror.on(method as FindMyWay.HTTPMethod, route.url, () => undefined);
    }
  });
  return {
    allowedMethods: (url) =>
      [...methods].filter((m) => mirror.find(m as FindMyWay.HTTPMethod, url) !== null).sort(),
  };
}

/**
 * The authorization hook: protected routes need a configured credential pair; device-facing and public
 * routes do not. Unmatched requests (404 / 405) reach no handler and are answered without a check.
 */
export function authorize(
  credentials: CredentialChecker,
  refuse: (reply: FastifyReply) => FastifyReply,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  return async (request, reply) => {
    if (!credentials.enabled || request.is404) return undefined;
    const access = request.routeOptions.config.access;
    // Fail closed: a matched route without a known class is treated as protected.
    if (access === 'public' || access === 'device') return undefined;
    if (credentials.check(request.headers.authorization)) return undefined;
    reply.header('WWW-Authenticate', 'Basic realm="offcode"');
    return refuse(reply);
  };
}
