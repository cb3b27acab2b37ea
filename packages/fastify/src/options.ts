/**
 * The plugin's options, checked once at registration: a wrong option fails `app.register(...)` / `ready()`
 * with one `OffcodeRoutesOptionsError` naming the option (never a value of a secret).
 */
import { OffcodeBaseError } from '@offcode/errors';
import type { OffcodeServer } from '@offcode/server';
import type { IntegrationCredential } from './credentials.js';
import type { OffcodeMetrics } from './metrics.js';

/** Route groups to serve; each defaults to `true`. */
export interface OffcodeMount {
  /** `/rest/v3/**`: the PowerAuth 1.x-style methods (V3 offline codes, applications, activations, audit). */
  v3?: boolean;
  /** `/rest/v4/**`: the PowerAuth 2.x-style methods (V4 offline codes, applications, activations, audit). */
  v4?: boolean;
  /** Device-facing routes: `/rest/offcode/activation/exchange` (the token's plain key exchange). */
  device?: boolean;
  /** The PowerAuth device API `/pa/v3/{keystore/create, activation/create, activation/status, activation/remove}` (device-facing). */
  powerauth?: boolean;
  /** `GET /healthz` and the probes `GET /livez`, `GET /readyz`. */
  health?: boolean;
  /** `GET /metrics` (protected). */
  metrics?: boolean;
  /** `GET /openapi.json`. */
  openapi?: boolean;
  /** `GET /docs` (Swagger UI over the OpenAPI document). */
  docs?: boolean;
}

export type MountKey = keyof OffcodeMount;
export const MOUNT_KEYS: readonly MountKey[] = Object.freeze([
  'v3',
  'v4',
  'device',
  'powerauth',
  'health',
  'metrics',
  'openapi',
  'docs',
]);

export interface OffcodeRoutesOptions {
  /** The services (`createOffcodeServer` of @offcode/server). */
  server: OffcodeServer;
  /**
   * HTTP Basic pairs for the protected routes (server.md §1.5); absent or empty: every route is open.
   * Device-facing and public routes never need them.
   */
  credentials?: readonly IntegrationCredential[];
  /** Route groups to serve (default: all). */
  mount?: OffcodeMount;
  /** Path prefix of every route, `''` (default) or `/segment…` without a trailing slash. */
  prefix?: string;
  /** The metrics registry (default: a new one); pass one to share it with the application's own routes. */
  metrics?: OffcodeMetrics;
  /** Version in the OpenAPI document and `offcode_build_info` (default: the server's status version). */
  version?: string;
}

export interface ResolvedOptions {
  server: OffcodeServer;
  credentials: readonly IntegrationCredential[];
  mount: Readonly<Record<MountKey, boolean>>;
  prefix: string;
  metrics: OffcodeMetrics | undefined;
  version: string | undefined;
}

/** A plugin option is missing or malformed; `field` names it. */
export class OffcodeRoutesOptionsError extends OffcodeBaseError {
  override readonly name = 'OffcodeRoutesOptionsError';
  constructor(field: string, reason: string) {
    super('input', 'INVALID_PLUGIN_OPTIONS', `@offcode/fastify: ${field} ${reason}`, { field });
  }
}

const KNOWN_OPTIONS = new Set(['server', 'credentials', 'mount', 'prefix', 'metrics', 'version']);
// Fastify's own register options travel in the same object.
const FASTIFY_OPTIONS = new Set(['logLevel', 'logSerializers', 'prefix']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkServer(server: unknown): OffcodeServer {
  const s = server as Partial<OffcodeServer> | undefined;
  if (!isObject(s) || !isObject(s.offline) || !isObject(s.system) || !isObject(s.schemas)) {
    throw new OffcodeRoutesOptionsError('server', 'must be the services of createOffcodeServer()');
  }
  return s as OffcodeServer;
}

function checkCredentials(value: unknown): readonly IntegrationCredential[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new OffcodeRoutesOptionsError('credentials', 'must be an array');
  return value.map((pair: unknown, i) => {
    const field = `credentials[${i}]`;
    if (!isObject(pair) || typeof pair.token !== 'string' || typeof pair.secret !== 'string') {
      throw new OffcodeRoutesOptionsError(field, 'must be { token: string, secret: string }');
    }
    if (pair.token === '' || pair.secret === '' || /[\s:]/.test(pair.token)) {
      throw new OffcodeRoutesOptionsError(
        field,
        'must have a non-empty token without ":" or white space, and a non-empty secret',
      );
    }
    return Object.freeze({ token: pair.token, secret: pair.secret });
  });
}

function checkMount(value: unknown): Record<MountKey, boolean> {
  const mount = Object.fromEntries(MOUNT_KEYS.map((k) => [k, true])) as Record<MountKey, boolean>;
  if (value === undefined) return mount;
  if (!isObject(value)) throw new OffcodeRoutesOptionsError('mount', 'must be an object of booleans');
  for (const [key, on] of Object.entries(value)) {
    if (!(MOUNT_KEYS as readonly string[]).includes(key)) {
      throw new OffcodeRoutesOptionsError(`mount.${key}`, `is not a route group (${MOUNT_KEYS.join(', ')})`);
    }
    if (on === undefined) continue;
    if (typeof on !== 'boolean') throw new OffcodeRoutesOptionsError(`mount.${key}`, 'must be a boolean');
    mount[key as MountKey] = on;
  }
  return mount;
}

function checkPrefix(value: unknown): string {
  if (value === undefined || value === '') return '';
  if (typeof value !== 'string' || !/^(\/[A-Za-z0-9._~-]+)+$/.test(value)) {
    throw new OffcodeRoutesOptionsError(
      'prefix',
      'must be "" or "/segment…" (letters, digits, . _ ~ -) without a trailing slash',
    );
  }
  return value;
}

export function resolveOptions(options: unknown): ResolvedOptions {
  if (!isObject(options)) throw new OffcodeRoutesOptionsError('options', 'must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key) && !FASTIFY_OPTIONS.has(key)) {
      throw new OffcodeRoutesOptionsError(key, 'is not an option of offcodeRoutes');
    }
  }
  const { metrics, version } = options;
  if (metrics !== undefined && !(isObject(metrics) && typeof metrics.render === 'function')) {
    throw new OffcodeRoutesOptionsError('metrics', 'must be a registry of createOffcodeMetrics()');
  }
  if (version !== undefined && (typeof version !== 'string' || version === '')) {
    throw new OffcodeRoutesOptionsError('version', 'must be a non-empty string');
  }
  return {
    server: checkServer(options.server),
    credentials: checkCredentials(options.credentials),
    mount: Object.freeze(checkMount(options.mount)),
    prefix: checkPrefix(options.prefix),
    metrics: metrics as OffcodeMetrics | undefined,
    version: version as string | undefined,
  };
}
