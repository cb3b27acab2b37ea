/**
 * The REST method routes (server.md §2): every path of the method table in the mounted groups, as POST (and
 * GET for the status methods), with the envelope in and out. The verify and create methods also feed the
 * offline metrics from the service's own outcome.
 */
import { OffcodeError, type OffcodeServer } from '@offcode/server';
import { verifyResponseFromOutcome } from '@offcode/server/internal';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseJsonBody } from '../body.js';
import { okEnvelope, unwrapRequestObject } from '../envelope.js';
import type { OffcodeMetrics } from '../metrics.js';
import { REST_METHODS, type RestGroup, type RestMethod, restGroupOf } from './rest-methods.js';

/** The path prefix of the REST area (one encapsulated context with its own 404 / 405 in the envelope). */
export const REST_AREA = '/rest';

/** Registers the table's paths of `group` on `app`, a context registered with the prefix `…/rest`. */
export function registerRestGroup(
  app: FastifyInstance,
  server: OffcodeServer,
  metrics: OffcodeMetrics,
  group: RestGroup,
): void {
  for (const method of REST_METHODS) {
    const paths = method.paths.filter((p) => restGroupOf(p) === group);
    if (paths.length === 0) continue;
    const handler = restHandler(server, method, metrics);
    const config = { access: method.access };
    for (const path of paths) {
      const local = path.slice(REST_AREA.length);
      app.post(local, { config }, handler);
      if (method.get) app.get(local, { config }, handler);
    }
  }
}

function restHandler(server: OffcodeServer, method: RestMethod, metrics: OffcodeMetrics) {
  return async (request: FastifyRequest) => {
    const body =
      request.method === 'GET'
        ? undefined
        : parseJsonBody(request.body as Buffer | undefined, request.headers['content-type']);
    const requestObject = unwrapRequestObject(body, method.fieldless);
    const offline = method.offline;
    if (!offline) return okEnvelope(await method.call(server, requestObject));
    if (offline.kind !== 'verify') {
      const result = await method.call(server, requestObject);
      const proximity =
        typeof requestObject === 'object' && requestObject !== null && 'proximityCheck' in requestObject;
      metrics.payloadCreatedTotal.inc({
        protocol: String(offline.version),
        kind: offline.kind,
        proximity: String(proximity),
      });
      return okEnvelope(result);
    }
    return okEnvelope(await verifyWithMetrics(server, offline.version, requestObject, metrics));
  };
}

/**
 * The verify methods call the service's protocol-neutral `verifyOutcome`, which carries what metrics need
 * (result kind, window position, a block made by this very request); the wire shape is derived from it by
 * the service package.
 */
async function verifyWithMetrics(
  server: OffcodeServer,
  version: 3 | 4,
  requestObject: unknown,
  metrics: OffcodeMetrics,
): Promise<unknown> {
  const started = process.hrtime.bigint();
  const protocol = String(version);
  try {
    const outcome = await server.offline.verifyOutcome(version, requestObject);
    metrics.verifyTotal.inc({ protocol, outcome: outcome.result });
    if (outcome.matchedPosition !== null) metrics.verifyWindowPosition.observe({}, outcome.matchedPosition);
    if (outcome.blocked) {
      metrics.activationBlockedTotal.inc({
        reason: outcome.blocked.reason,
        temporary: String(outcome.blocked.temporary),
      });
    }
    return verifyResponseFromOutcome(version, outcome);
  } catch (error) {
    const code = error instanceof OffcodeError ? error.code : '';
    metrics.verifyTotal.inc({ protocol, outcome: code.startsWith('OFF-01') ? 'registry_rejected' : 'error' });
    throw error;
  } finally {
    metrics.verifyDuration.observe({ protocol }, Number(process.hrtime.bigint() - started) / 1e9);
  }
}
