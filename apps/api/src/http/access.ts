/**
 * The classes of this application's own routes (server.md §1.5); the plugin's routes (@offcode/fastify)
 * carry theirs. `classifyRoutes(app, APP_ROUTE_ACCESS)` in app.ts gives every route its class and refuses a
 * route without one when it is registered (the build fails).
 */
import type { RouteAccess } from '@offcode/fastify';
import { OFFCODE_ROUTE_ACCESS } from '@offcode/fastify/internal';
import { DEMO_ROUTE_ACCESS } from '../demo/access.js';

export { ROUTE_ACCESS_CLASSES, type RouteAccess } from '@offcode/fastify';
export { type RegisteredRoute, registeredRoutes } from '@offcode/fastify/internal';

/** This application's routes, by route template. */
export const APP_ROUTE_ACCESS: ReadonlyMap<string, RouteAccess> = new Map<string, RouteAccess>(
  Object.entries({
    // Only a redirect to /demo (which is protected).
    '/': 'public',
    // The demo's routes are classified with the routes (demo/access.ts).
    ...DEMO_ROUTE_ACCESS,
  } satisfies Record<string, RouteAccess>),
);

/** The one table of everything this application can serve: the plugin's routes and its own. */
export const ROUTE_ACCESS: ReadonlyMap<string, RouteAccess> = new Map<string, RouteAccess>([
  ...OFFCODE_ROUTE_ACCESS,
  ...APP_ROUTE_ACCESS,
]);
