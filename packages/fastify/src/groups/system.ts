/** Health, probes, metrics and the OpenAPI document (server.md §2.6); the viewer is `docs.ts`. */
import type { OffcodeServer, Readiness } from '@offcode/server';
import type { JsonSchema } from '@offcode/server/internal';
import type { FastifyInstance } from 'fastify';
import { errorEnvelope, okEnvelope } from '../envelope.js';
import { OffcodeHttpError } from '../errors.js';
import type { OffcodeMetrics } from '../metrics.js';
import { JSON_TYPE } from '../reply.js';
import { systemRouteConfig } from './system-routes.js';

/** A probe answers within this, database or not (probes time out after a few seconds). */
const READINESS_TIMEOUT_MS = 2000;

/** `GET /healthz`: `ok` after a database round trip, 503 otherwise (no envelope). */
export function registerHealth(app: FastifyInstance, server: OffcodeServer): void {
  app.get('/healthz', { config: systemRouteConfig('/healthz') }, async (_request, reply) => {
    try {
      await server.system.health();
      return reply.type('text/plain; charset=utf-8').send('ok');
    } catch {
      return reply.code(503).type('text/plain; charset=utf-8').send('database unavailable');
    }
  });
}

/**
 * `GET /livez`: 200 while the process serves requests, also during the drain (a restart would not help);
 * no database round trip.
 */
export function registerLiveness(app: FastifyInstance): void {
  app.get('/livez', { config: systemRouteConfig('/livez') }, async (_request, reply) =>
    reply.type(JSON_TYPE).send(okEnvelope({ live: true })),
  );
}

async function readinessWithin(server: OffcodeServer, ms: number): Promise<Readiness> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<Readiness>((resolve) => {
    timer = setTimeout(() => resolve({ ready: false, database: false, pendingMigrations: [] }), ms);
  });
  try {
    return await Promise.race([server.system.readiness(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `GET /readyz`: 200 `{ready: true, …}` when the database answers, no migration is pending and the instance
 * is not closing; otherwise 503 in the envelope: OFF-0003 while closing, OFF-0201 naming what is not ready.
 */
export function registerReadiness(
  app: FastifyInstance,
  server: OffcodeServer,
  closing: { readonly value: boolean },
): void {
  app.get('/readyz', { config: systemRouteConfig('/readyz') }, async (_request, reply) => {
    if (closing.value) {
      const error = new OffcodeHttpError('OFF-0003');
      return reply.code(503).type(JSON_TYPE).send(errorEnvelope(error.code, error.message));
    }
    const readiness = await readinessWithin(server, READINESS_TIMEOUT_MS);
    if (readiness.ready) return reply.type(JSON_TYPE).send(okEnvelope(readiness));
    const reason = !readiness.database
      ? 'the database is unreachable'
      : `migrations are pending: ${readiness.pendingMigrations.join(', ')}`;
    return reply
      .code(503)
      .type(JSON_TYPE)
      .send(errorEnvelope('OFF-0201', `Not ready: ${reason}.`));
  });
}

/** `GET /metrics`: Prometheus text format 0.0.4 of the registry. */
export function registerMetrics(app: FastifyInstance, metrics: OffcodeMetrics): void {
  app.get('/metrics', { config: systemRouteConfig('/metrics') }, async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.render()),
  );
}

/** `GET /openapi.json`: the document, built once at registration. */
export function registerOpenApi(app: FastifyInstance, document: JsonSchema): void {
  app.get('/openapi.json', { config: systemRouteConfig('/openapi.json') }, async () => document);
}
