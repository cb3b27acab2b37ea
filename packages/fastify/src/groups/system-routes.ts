/** Routes that answer during the drain themselves (the probes): the closing refusal leaves them alone. */
export const DRAIN_ROUTES: ReadonlySet<string> = new Set(['/livez', '/readyz']);

/**
 * The classes of the plugin's routes outside the REST method table (server.md §1.5), by route template
 * relative to the `prefix` option. The REST method table gives its entries' classes itself.
 */
import type { RouteAccess } from '../access.js';

export const SYSTEM_ROUTES: Readonly<Record<string, RouteAccess>> = Object.freeze({
  '/healthz': 'public',
  // Probes of the orchestrator: they tell whether to restart or to route traffic, nothing else.
  '/livez': 'public',
  '/readyz': 'public',
  '/openapi.json': 'public',
  '/docs': 'public',
  '/docs/init.js': 'public',
  '/docs/swagger-ui.css': 'public',
  '/docs/swagger-ui-bundle.js': 'public',
  // Request counts and latencies per route: operational detail an outsider has no business reading.
  '/metrics': 'protected',
});

/** Route config of a system route (its class from the table; a template missing from it is a bug). */
export function systemRouteConfig(path: string): { access: RouteAccess } {
  const access = SYSTEM_ROUTES[path];
  if (access === undefined) throw new Error(`system route ${path} has no access class in SYSTEM_ROUTES`);
  return { access };
}
