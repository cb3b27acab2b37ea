/**
 * What every context that answers in the PowerAuth envelope installs (server.md §1.1, §1.3): the response
 * headers of every answer, request metrics, the error handler and the 404 / 405 handler. The plugin installs
 * them in its own encapsulated contexts; an application can install the same on its root (apps/api does, for
 * the demo, the `/` redirect and unknown paths), and metrics count each request once either way.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteMirror } from './access.js';
import { OffcodeHttpError } from './errors.js';
import { mapError } from './map-error.js';
import type { OffcodeMetrics } from './metrics.js';
import { sendOffcodeError } from './reply.js';

/**
 * `onRequest`: `X-Request-Id` (the request id, see `requestIdFrom`) and `Cache-Control: no-store` on every
 * answer, and the start time for the duration metric; `onResponse`: the request counters. Callback hooks,
 * not async ones: they run on every request of the hot paths (verify, create) and do nothing asynchronous,
 * so no promise is made per hook and request.
 */
export function addOffcodeRequestHooks(app: FastifyInstance, metrics: OffcodeMetrics): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    reply.header('Cache-Control', 'no-store');
    metrics.requestStarted(request);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    metrics.requestFinished(request, request.routeOptions.url, request.method, reply.statusCode);
    done();
  });
}

/**
 * Requests that reach a route while the instance closes (a keep-alive or pipelined request during the
 * drain) get 503 OFF-0003 in the envelope, so a load balancer retries them elsewhere. The application sets
 * Fastify's `return503OnClosing: false`; otherwise Fastify answers these itself, outside the envelope.
 */
export function refuseWhileClosing(
  closing: { readonly value: boolean },
  /** Route URLs that answer during the drain themselves (`/livez`, `/readyz`). */
  exempt: ReadonlySet<string> = new Set(),
) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (!closing.value || exempt.has(request.routeOptions.url ?? '')) return undefined;
    reply.header('Connection', 'close');
    return sendOffcodeError(reply, new OffcodeHttpError('OFF-0003'));
  };
}

/**
 * The error handler: anything a request throws becomes its wire error (OffcodeError as it is, framework
 * input errors ERR0024, database unavailability 503 OFF-0201, the rest 500 ERR0000 with the request id);
 * internal faults are logged with their cause, never sent.
 */
export function offcodeErrorHandler(metrics: OffcodeMetrics) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const mapped = mapError(error, String(request.id), request.routeOptions.bodyLimit);
    if (mapped.internal) {
      const cause = (error as { cause?: unknown }).cause;
      request.log.error({ err: cause ?? error, requestId: request.id }, 'internal error');
    }
    if (mapped.error.code === 'OFF-0201') metrics.dbBusyTotal.inc();
    return sendOffcodeError(reply, mapped.error);
  };
}

/** Unmatched requests: 405 OFF-0002 with `Allow` when another method has a route there, else 404. */
export function offcodeNotFoundHandler(mirror: RouteMirror) {
  return (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const allowed = mirror.allowedMethods(request.url);
    if (allowed.length > 0) {
      reply.header('Allow', allowed.join(', '));
      return sendOffcodeError(
        reply,
        new OffcodeHttpError('OFF-0002', `Method ${request.method} is not allowed on this path.`),
      );
    }
    return sendOffcodeError(reply, new OffcodeHttpError('ERROR_NOT_FOUND'));
  };
}

/**
 * One raw-bytes parser for every content type: the route decides what it accepts (JSON for `/rest`), so a
 * wrong type becomes ERR0024 naming `body` rather than a framework 415. Content-type parsers are
 * encapsulated: this changes only `app` and the contexts inside it.
 */
export function acceptRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
}
