/**
 * Who may call what (server.md §1.5): every route has one class, and the authorization hook reads the class
 * of the route the router MATCHED (`request.routeOptions.config.access`), never the request target. The
 * router accepts many spellings of one path (percent-escapes, the absolute form `http://host/…`, query
 * strings); deciding on the matched route makes all of them equal.
 *
 * - `protected`: needs the integration credentials when they are configured (the PowerAuth-compatible
 *   methods, metrics; in apps/api also the demo);
 * - `device`: called by the token itself and guarded by its own cryptography (the key exchange);
 * - `public`: reveals nothing and changes nothing (health, OpenAPI and its viewer).
 *
 * The plugin's routes carry their class in their route config (from OFFCODE_ROUTE_ACCESS); an application
 * classifies its own routes with `classifyRoutes(app, table)`, which also accepts the plugin's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import FindMyWay from 'find-my-way';
import type { CredentialChecker } from './credentials.js';
import { OffcodeHttpError } from './errors.js';
import { POWERAUTH_ROUTE_ACCESS } from './groups/powerauth-routes.js';
import { REST_METHODS } from './groups/rest-methods.js';
import { SYSTEM_ROUTES } from './groups/system-routes.js';
import { sendOffcodeError } from './reply.js';

export type RouteAccess = 'protected' | 'device' | 'public';
export const ROUTE_ACCESS_CLASSES: readonly RouteAccess[] = Object.freeze(['protected', 'device', 'public']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's access class (server.md §1.5); set on every route the plugin or `classifyRoutes` sees. */
    access?: RouteAccess;
  }
}

/** Every route template the plugin can serve (without the `prefix` option) → its class. */
export const OFFCODE_ROUTE_ACCESS: ReadonlyMap<string, RouteAccess> = new Map<string, RouteAccess>([
  ...REST_METHODS.flatMap((m) => m.paths.map((p): [string, RouteAccess] => [p, m.access])),
  ...POWERAUTH_ROUTE_ACCESS,
  ...Object.entries(SYSTEM_ROUTES),
]);

export interface RegisteredRoute {
  method: string;
  url: string;
  access: RouteAccess;
}

const registered = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route `classifyRoutes` has seen on `app` so far, with its class (tests enumerate them). */
export const registeredRoutes = (app: FastifyInstance): readonly RegisteredRoute[] =>
  registered.get(app) ?? [];

/** The methods served for a request target, found by a mirror router with Fastify's matching rules. */
export interface RouteMirror {
  allowedMethods(url: string): string[];
}

/**
 * Installs an `onRoute` hook on `app` (and so on every context registered inside it): a route's class is its
 * `config.access` when it has one (the plugin's routes), else `table.get(url)`; a route with neither is
 * refused, the registration throws. Returns the lookup for 405 answers over every route seen.
 */
export function classifyRoutes(
  app: FastifyInstance,
  table: ReadonlyMap<string, RouteAccess> = new Map(),
): RouteMirror {
  const routes: RegisteredRoute[] = [];
  registered.set(app, routes);
  const mirror = FindMyWay({
    ignoreTrailingSlash: false,
    ignoreDuplicateSlashes: false,
    caseSensitive: true,
  });
  const methods = new Set<string>();
  app.addHook('onRoute', (route: RouteOptions) => {
    const access = route.config?.access ?? table.get(route.url);
    const list = Array.isArray(route.method) ? route.method : [route.method];
    if (access === undefined || !ROUTE_ACCESS_CLASSES.includes(access)) {
      throw new Error(
        `route ${list.join(',')} ${route.url} has no access class: give it config.access or add it to the application's route-access table`,
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
 * The authorization hook (`onRequest`): protected routes need a configured credential pair; device-facing and
 * public routes do not; without configured credentials everything is open. Unmatched requests (404 / 405)
 * reach no handler and are answered without a check. Refusal: 401 OFF-0001 with `WWW-Authenticate`.
 */
export function authorizeHook(
  credentials: CredentialChecker,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  return async (request, reply) => {
    if (!credentials.enabled || request.is404) return undefined;
    const access = request.routeOptions.config.access;
    // Fail closed: a matched route without a known class is treated as protected.
    if (access === 'public' || access === 'device') return undefined;
    if (credentials.check(request.headers.authorization)) return undefined;
    reply.header('WWW-Authenticate', 'Basic realm="offcode"');
    return sendOffcodeError(reply, new OffcodeHttpError('OFF-0001'));
  };
}
