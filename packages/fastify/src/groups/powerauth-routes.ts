/**
 * The PowerAuth device API routes (activation.md §3–§7, server.md §1.5): device-facing, guarded by the
 * device's own cryptography (ECIES, the keystore JWT, the online signature), so no integration credentials.
 */
import type { RouteAccess } from '../access.js';

/** The path prefix of the PowerAuth device API area. */
export const POWERAUTH_AREA = '/pa/v3';

/** Route template (below the `prefix` option) → the enrollment service method it calls. */
export const POWERAUTH_ROUTES = Object.freeze({
  '/pa/v3/keystore/create': 'keystoreCreate',
  '/pa/v3/activation/create': 'activationCreate',
  '/pa/v3/activation/status': 'activationStatus',
  '/pa/v3/activation/remove': 'activationRemove',
} as const);

export type PowerAuthRoute = keyof typeof POWERAUTH_ROUTES;

export const POWERAUTH_ROUTE_ACCESS: readonly [string, RouteAccess][] = Object.keys(POWERAUTH_ROUTES).map(
  (p): [string, RouteAccess] => [p, 'device'],
);
