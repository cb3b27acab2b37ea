/**
 * `offcodeRoutes`: the PowerAuth-compatible REST layer as a Fastify plugin (server.md §1–§2). Each area of
 * routes is its own encapsulated context with its own body parser, hooks, error handler and 404 / 405
 * handler, so the application's other routes, error handler, parsers and hooks are untouched:
 *
 * - `…/rest` (the method table: groups `v3`, `v4`, `device`): unknown paths below it answer 404
 *   ERROR_NOT_FOUND / 405 OFF-0002 in the envelope, mounted or not;
 * - the system routes (`health`, `metrics`, `openapi`, `docs`) at the prefix (with a `prefix`, unknown paths
 *   below it answer in the envelope too; without one they stay the application's).
 *
 * A new mechanism's routes (e.g. the PowerAuth device API `/pa/v3/**`) are one more group module under
 * `groups/` and one more area below.
 */
import type { OffcodeServer } from '@offcode/server';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { authorizeHook, classifyRoutes, OFFCODE_ROUTE_ACCESS } from './access.js';
import { createCredentialChecker } from './credentials.js';
import { registerDocs } from './groups/docs.js';
import { registerPowerAuthGroup } from './groups/powerauth.js';
import { POWERAUTH_AREA } from './groups/powerauth-routes.js';
import { REST_AREA, registerRestGroup } from './groups/rest.js';
import {
  registerHealth,
  registerLiveness,
  registerMetrics,
  registerOpenApi,
  registerReadiness,
} from './groups/system.js';
import { DRAIN_ROUTES } from './groups/system-routes.js';
import {
  acceptRawBodies,
  addOffcodeRequestHooks,
  offcodeErrorHandler,
  offcodeNotFoundHandler,
  refuseWhileClosing,
} from './hooks.js';
import { createMetrics, type OffcodeMetrics } from './metrics.js';
import { buildOpenApiDocument } from './openapi.js';
import { type OffcodeRoutesOptions, type ResolvedOptions, resolveOptions } from './options.js';

interface AreaContext {
  options: ResolvedOptions;
  metrics: OffcodeMetrics;
  version: string;
  /** Set by the instance's preClose hook: from then on the plugin's routes answer 503 OFF-0003. */
  closing: { value: boolean };
}

/**
 * The common part of every area: raw bodies, the route check (every route of the area has a class, and the
 * class of the plugin's table), headers and metrics, credentials, the envelope error handler, and the
 * 404 / 405 handler when the area has a path of its own.
 */
function prepareArea(area: FastifyInstance, ctx: AreaContext, path: string, notFound: boolean): void {
  area.addHook('onRoute', (route) => {
    const template = `${path}${route.routePath}`;
    const expected = OFFCODE_ROUTE_ACCESS.get(template);
    if (expected === undefined || route.config?.access !== expected) {
      throw new Error(`@offcode/fastify: route ${template} is not in the route-access table with its class`);
    }
  });
  const mirror = classifyRoutes(area);
  acceptRawBodies(area);
  addOffcodeRequestHooks(area, ctx.metrics);
  // The probes at the system area's own prefix answer during the drain themselves.
  const drainRoutes = path === '' ? new Set([...DRAIN_ROUTES].map((r) => `${area.prefix}${r}`)) : undefined;
  const refuse = refuseWhileClosing(ctx.closing);
  area.addHook(
    'onRequest',
    drainRoutes
      ? async (request, reply) =>
          drainRoutes.has(request.routeOptions.url ?? '') ? undefined : refuse(request, reply)
      : refuse,
  );
  area.addHook('onRequest', authorizeHook(createCredentialChecker(ctx.options.credentials)));
  area.setErrorHandler(offcodeErrorHandler(ctx.metrics));
  if (notFound) area.setNotFoundHandler(offcodeNotFoundHandler(mirror));
}

async function restArea(area: FastifyInstance, ctx: AreaContext): Promise<void> {
  prepareArea(area, ctx, REST_AREA, true);
  const { server, mount } = ctx.options;
  for (const group of ['v3', 'v4', 'device'] as const) {
    if (mount[group]) registerRestGroup(area, server, ctx.metrics, group);
  }
}

async function powerAuthArea(area: FastifyInstance, ctx: AreaContext): Promise<void> {
  prepareArea(area, ctx, POWERAUTH_AREA, true);
  // Each route carries its own error handler (the RESTful-integration envelope with that route's
  // malformed-input code); the area keeps the common one.
  await area.register(async (routes) => registerPowerAuthGroup(routes, ctx.options.server, ctx.metrics));
}

async function systemArea(area: FastifyInstance, ctx: AreaContext): Promise<void> {
  const { server, mount, prefix, credentials } = ctx.options;
  prepareArea(area, ctx, '', prefix !== '');
  // The full prefix of this context: the plugin's option below whatever prefix the application mounted it at.
  const base = area.prefix;
  if (mount.health) {
    registerHealth(area, server);
    registerLiveness(area);
    registerReadiness(area, server, ctx.closing);
  }
  if (mount.metrics) registerMetrics(area, ctx.metrics);
  if (mount.openapi) {
    const document = buildOpenApiDocument(server, {
      version: ctx.version,
      basicAuth: credentials.length > 0,
      mount,
      prefix: base,
    });
    registerOpenApi(area, document);
  }
  if (mount.docs) registerDocs(area, base);
}

async function buildInfo(server: OffcodeServer, metrics: OffcodeMetrics, version?: string): Promise<string> {
  const status = await server.system.status({});
  const v = version ?? status.version;
  metrics.buildInfo.set({ version: v, crypto_backend: status.cryptoBackend, database: status.database }, 1);
  metrics.watchServer(server);
  return v;
}

async function offcodeRoutesPlugin(app: FastifyInstance, raw: OffcodeRoutesOptions): Promise<void> {
  const options = resolveOptions(raw);
  const metrics = options.metrics ?? createMetrics();
  const version = await buildInfo(options.server, metrics, options.version);
  const ctx: AreaContext = { options, metrics, version, closing: { value: false } };
  app.addHook('preClose', async () => {
    ctx.closing.value = true;
  });
  const { mount, prefix } = options;
  if (mount.v3 || mount.v4 || mount.device) {
    await app.register(async (area) => restArea(area, ctx), { prefix: `${prefix}${REST_AREA}` });
  }
  if (mount.powerauth) {
    await app.register(async (area) => powerAuthArea(area, ctx), { prefix: `${prefix}${POWERAUTH_AREA}` });
  }
  if (mount.health || mount.metrics || mount.openapi || mount.docs) {
    await app.register(async (area) => systemArea(area, ctx), { prefix });
  }
}

/**
 * The plugin: `app.register(offcodeRoutes, { server, credentials?, mount?, prefix?, metrics?, version? })`.
 * Wrapped with fastify-plugin (named `@offcode/fastify`, Fastify 5), so Fastify's own `prefix` register
 * option does not apply: use the plugin's `prefix` option.
 */
export const offcodeRoutes = fp(offcodeRoutesPlugin, { name: '@offcode/fastify', fastify: '5.x' });
