/**
 * The PowerAuth device API (`POST /pa/v3/{keystore/create, activation/create, activation/status,
 * activation/remove}`) over the transport-free `server.enrollment` methods. The body travels as its raw
 * bytes (the online signature of `activation/remove` is over them; the service parses the JSON, Gson's
 * `\u003d` escapes included); the `X-PowerAuth-Encryption` header is passed as it is (the service accepts
 * both the Android and the iOS spelling). Answers are the service's JSON as is; refusals are the PowerAuth
 * RESTful-integration envelope `{"status":"ERROR","responseObject":{code,message[,field]}}`.
 */
import { isEnrollmentError, type OffcodeServer } from '@offcode/server';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { offcodeErrorHandler } from '../hooks.js';
import type { OffcodeMetrics } from '../metrics.js';
import { POWERAUTH_AREA, POWERAUTH_ROUTES } from './powerauth-routes.js';

/** A single header value; a repeated header becomes `''`, which the service refuses. */
function headerValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? '' : value;
}

function rawBody(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  return new Uint8Array(0);
}

/**
 * The area's error handler: EnrollmentError → 401 (ERR_AUTHENTICATION) or 400 in the RESTful-integration
 * envelope with the service's response object; anything else (framework input errors, database busy,
 * internal faults) as the plugin's other areas answer it.
 */
export function powerAuthErrorHandler(metrics: OffcodeMetrics) {
  const fallback = offcodeErrorHandler(metrics);
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (!isEnrollmentError(error)) return fallback(error, request, reply);
    request.log.info({ code: error.code, reason: error.reason, requestId: request.id }, 'enrollment refused');
    return reply
      .code(error.code === 'ERR_AUTHENTICATION' ? 401 : 400)
      .type('application/json')
      .send(JSON.stringify({ status: 'ERROR', responseObject: error.toResponseObject() }));
  };
}

/** Registers the four routes on `area`, a context registered with the prefix `…/pa/v3`. */
export function registerPowerAuthGroup(
  area: FastifyInstance,
  server: OffcodeServer,
  metrics: OffcodeMetrics,
): void {
  area.setErrorHandler(powerAuthErrorHandler(metrics));
  const config = { access: 'device' as const };
  for (const [path, method] of Object.entries(POWERAUTH_ROUTES)) {
    area.post(path.slice(POWERAUTH_AREA.length), { config }, async (request, reply) => {
      const encryption = headerValue(request.headers['x-powerauth-encryption']);
      const authorization = headerValue(request.headers['x-powerauth-authorization']);
      const result = await server.enrollment[method]({
        body: rawBody(request.body),
        headers: {
          ...(encryption !== undefined ? { encryption } : {}),
          ...(authorization !== undefined ? { authorization } : {}),
        },
      });
      return reply.code(200).type('application/json').send(JSON.stringify(result));
    });
  }
}
