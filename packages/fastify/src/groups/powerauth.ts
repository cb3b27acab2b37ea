/**
 * The PowerAuth device API (`POST /pa/v3/{keystore/create, activation/create, activation/status,
 * activation/remove}`) over the transport-free `server.enrollment` methods. The body travels as its raw
 * bytes (the online signature of `activation/remove` is over them; the service parses the JSON, Gson's
 * `\u003d` escapes included); the `X-PowerAuth-Encryption` header is passed as it is (the service accepts
 * both the Android and the iOS spelling). Answers are the service's JSON as is; refusals are the PowerAuth
 * RESTful-integration envelope `{"status":"ERROR","responseObject":{code,message[,field]}}`.
 */
import {
  EnrollmentError,
  type EnrollmentErrorCode,
  isEnrollmentError,
  type OffcodeServer,
} from '@offcode/server';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isJsonContentType } from '../body.js';
import { offcodeErrorHandler } from '../hooks.js';
import { mapError } from '../map-error.js';
import type { OffcodeMetrics } from '../metrics.js';
import { POWERAUTH_AREA, POWERAUTH_INPUT_ERROR, POWERAUTH_ROUTES } from './powerauth-routes.js';

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
 * A route's error handler: EnrollmentError → 401 (ERR_AUTHENTICATION) or 400 in the RESTful-integration
 * envelope with the service's response object. Input the framework refused before the service ran (body over
 * the limit, unreadable body) becomes the route's malformed-input code naming `body`, so a device never sees
 * a code of the /rest area; database busy and internal faults are answered as the plugin's other areas do.
 */
export function powerAuthErrorHandler(metrics: OffcodeMetrics, inputCode: EnrollmentErrorCode) {
  const fallback = offcodeErrorHandler(metrics);
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    let refusal = isEnrollmentError(error) ? error : null;
    if (refusal === null) {
      const mapped = mapError(error, String(request.id), request.routeOptions.bodyLimit);
      if (mapped.error.code !== 'ERR0024') return fallback(error, request, reply);
      refusal = new EnrollmentError(inputCode, 'malformed', mapped.error.message, { field: 'body' });
    }
    request.log.info(
      { code: refusal.code, reason: refusal.reason, requestId: request.id },
      'enrollment refused',
    );
    return reply
      .code(refusal.code === 'ERR_AUTHENTICATION' ? 401 : 400)
      .type('application/json')
      .send(JSON.stringify({ status: 'ERROR', responseObject: refusal.toResponseObject() }));
  };
}

/** Registers the four routes on `area`, a context registered with the prefix `…/pa/v3`. */
export function registerPowerAuthGroup(
  area: FastifyInstance,
  server: OffcodeServer,
  metrics: OffcodeMetrics,
): void {
  const config = { access: 'device' as const };
  for (const [path, method] of Object.entries(POWERAUTH_ROUTES)) {
    const inputCode = POWERAUTH_INPUT_ERROR[method];
    const errorHandler = powerAuthErrorHandler(metrics, inputCode);
    area.post(path.slice(POWERAUTH_AREA.length), { config, errorHandler }, async (request, reply) => {
      // The SDKs send JSON; any other declared type is refused before the service parses the bytes.
      if (!isJsonContentType(request.headers['content-type'])) {
        throw new EnrollmentError(inputCode, 'malformed', 'Content-Type must be application/json', {
          field: 'body',
        });
      }
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
