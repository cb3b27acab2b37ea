/** Health, metrics and the OpenAPI document (server.md §2.6); the viewer is `docs.ts`. */
import type { OffcodeServer } from '@offcode/server';
import type { JsonSchema } from '@offcode/server/internal';
import type { FastifyInstance } from 'fastify';
import type { OffcodeMetrics } from '../metrics.js';
import { systemRouteConfig } from './system-routes.js';

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

/** `GET /metrics`: Prometheus text format 0.0.4 of the registry. */
export function registerMetrics(app: FastifyInstance, metrics: OffcodeMetrics): void {
  app.get('/metrics', { config: systemRouteConfig('/metrics') }, async (_request, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render()),
  );
}

/** `GET /openapi.json`: the document, built once at registration. */
export function registerOpenApi(app: FastifyInstance, document: JsonSchema): void {
  app.get('/openapi.json', { config: systemRouteConfig('/openapi.json') }, async () => document);
}
