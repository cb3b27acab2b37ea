/**
 * The PowerAuth device API routes (activation.md §3–§7, server.md §1.5): device-facing, guarded by the
 * device's own cryptography (ECIES, the keystore JWT, the online signature), so no integration credentials.
 */
import type { EnrollmentErrorCode } from '@offcode/server';
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
export type PowerAuthMethod = (typeof POWERAUTH_ROUTES)[PowerAuthRoute];

/**
 * The code each route answers for a body the HTTP layer already refuses (not JSON by its content type, over
 * the body limit, unreadable): the one the service answers for a malformed body of that route, so a device
 * sees one code per route for every malformed request, whichever layer caught it.
 */
export const POWERAUTH_INPUT_ERROR: Readonly<Record<PowerAuthMethod, EnrollmentErrorCode>> = Object.freeze({
  keystoreCreate: 'ERR_TEMPORARY_KEY',
  activationCreate: 'ERR_ENCRYPTION',
  activationStatus: 'ERR_ACTIVATION',
  activationRemove: 'ERR_AUTHENTICATION',
});

export const POWERAUTH_ROUTE_ACCESS: readonly [string, RouteAccess][] = Object.keys(POWERAUTH_ROUTES).map(
  (p): [string, RouteAccess] => [p, 'device'],
);
