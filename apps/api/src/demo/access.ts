/**
 * The access classes of the demo's routes (server.md §1.5), kept with the routes: the demo creates
 * activations, blocks users through failed attempts and shows operations, so with credentials configured it
 * needs them like the REST methods it stands for (pages, forms and assets alike).
 */
import type { RouteAccess } from '@offcode/fastify';

export const DEMO_ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  '/demo': 'protected',
  '/demo/enrol': 'protected',
  '/demo/operation/new': 'protected',
  '/demo/operation': 'protected',
  '/demo/operation/:id': 'protected',
  '/demo/operation/:id/qr.png': 'protected',
  '/demo/operation/:id/qr.svg': 'protected',
  '/demo/operation/:id/verify': 'protected',
  '/demo/operation/:id/result': 'protected',
  '/demo/activation/:id': 'protected',
  '/demo/token': 'protected',
  '/demo/assets/token.js': 'protected',
  '/demo/assets/token.js.map': 'protected',
  '/demo/assets/demo.css': 'protected',
  '/demo/assets/local-time.js': 'protected',
  '/demo/assets/favicon.svg': 'protected',
};
