/**
 * Answers written before a route exists (server.md §1.3): requests Node's HTTP parser refuses (bad or
 * oversized headers, a malformed request line, timeouts) and request targets the router cannot decode
 * (malformed percent-escapes, over-long path parameters). They get the PowerAuth error envelope like every
 * other answer, with `X-Request-Id`, `Cache-Control: no-store` and the security headers, and never echo the
 * request target or name the framework's own error codes. Both hooks are Fastify-instance options
 * (`clientErrorHandler`, `frameworkErrors`), so the application passes them to `Fastify({...})`.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { OffcodeError } from '@offcode/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorEnvelope } from './envelope.js';
import { JSON_TYPE, sendOffcodeError } from './reply.js';
import { SECURITY_HEADERS } from './security-headers.js';

/** Status and error of a request Node's parser refused (`err.code` from llhttp or the server's timers). */
export function clientErrorAnswer(code: string | undefined): { status: number; error: OffcodeError } {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, error: OffcodeError.invalidField('headers', 'the request headers are too large') };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT') {
    return {
      status: 408,
      error: OffcodeError.invalidField('request', 'the request was not received in time'),
    };
  }
  return { status: 400, error: OffcodeError.invalidField('request', 'the HTTP request is malformed') };
}

/** The raw HTTP/1.1 answer for a refused request: envelope, fresh request id, `Connection: close`. */
export function rawErrorResponse(status: number, error: OffcodeError): string {
  const body = JSON.stringify(errorEnvelope(error.code, error.message));
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    'Content-Type': JSON_TYPE,
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    'X-Request-Id': randomUUID(),
    Connection: 'close',
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * Fastify's `clientErrorHandler`: Node emits `clientError` with the socket only. The answer is written when
 * the socket can still take one and no other answer has started on it (as Node's own handler checks), then
 * the connection is closed; a reset connection is just dropped.
 */
export function handleClientError(error: Error & { code?: string }, socket: Duplex): void {
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const { status, error: answer } = clientErrorAnswer(error.code);
  socket.end(rawErrorResponse(status, answer));
  // A client that never reads must not keep the socket: close it once the answer had its chance to leave.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** What a router-level failure becomes: the error code is Fastify's, the answer names only `path`. */
export function frameworkErrorAnswer(code: string | undefined, maxParamLength: number): OffcodeError {
  if (code === 'FST_ERR_BAD_URL') {
    return OffcodeError.invalidField(
      'path',
      'the request target is not a valid URL (malformed percent-escape)',
    );
  }
  if (code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return OffcodeError.invalidField('path', `a path parameter is longer than ${maxParamLength} characters`);
  }
  return OffcodeError.invalidField('path', 'the request target could not be routed');
}

/**
 * Fastify's `frameworkErrors`: called before routing, so no hook has run on this reply and the headers
 * every answer carries are set here.
 */
export function frameworkErrorHandler(maxParamLength: number) {
  return (error: { code?: string }, request: FastifyRequest, reply: FastifyReply): void => {
    const answer = frameworkErrorAnswer(error.code, maxParamLength);
    void sendOffcodeError(
      reply.headers({ ...SECURITY_HEADERS, 'X-Request-Id': String(request.id), 'Cache-Control': 'no-store' }),
      answer,
    );
  };
}
