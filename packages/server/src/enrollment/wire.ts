/**
 * What the `/pa/v3/*` entry points take from the wire and give back (activation.md 2): the raw body bytes and
 * the `X-PowerAuth-*` header values as strings in; the JSON body out (`{"status":"OK","responseObject":…}` for
 * the plain endpoints, the bare ECIES response for activation/create). Bodies are read with a real JSON
 * parser (Android's Gson writes `=` as `\u003d`); the bytes stay available for signatures.
 */
import { ProtocolError } from '@offcode/protocol';
import { EnrollmentError, type EnrollmentErrorCode, type EnrollmentRefusal } from './errors.js';

/** One request as the HTTP layer received it. */
export interface EnrollmentRequest {
  /** The raw HTTP body (what an online signature covers). */
  body: Uint8Array;
  /** Header values as received; absent headers undefined. */
  headers?: {
    /** `X-PowerAuth-Encryption` (activation/create). */
    encryption?: string | undefined;
    /** `X-PowerAuth-Authorization` (activation/remove). */
    authorization?: string | undefined;
  };
}

/** The success envelope of the plain endpoints. */
export interface OkEnvelope<T> {
  status: 'OK';
  responseObject: T;
}

export const ok = <T>(responseObject: T): OkEnvelope<T> => ({ status: 'OK', responseObject });

/** Largest body the entry points read (bytes); an activation/create body is about 2 KiB. */
export const MAX_ENROLLMENT_BODY = 64 * 1024;

/** Maps a `ProtocolError` of a parser to the endpoint's error, naming the field. */
export function fromProtocolError(
  code: EnrollmentErrorCode,
  error: unknown,
  reason: EnrollmentRefusal = 'malformed',
): never {
  if (error instanceof ProtocolError) {
    const unsupported = error.code === 'UNSUPPORTED';
    throw new EnrollmentError(code, unsupported ? 'unsupported_version' : reason, error.message, {
      field: error.field,
      kind: unsupported ? 'rejected' : reason === 'malformed' ? 'input' : 'rejected',
      cause: error,
    });
  }
  throw error;
}

/** Runs a parser, turning its `ProtocolError` into the endpoint's error. */
export function parseWith<T>(code: EnrollmentErrorCode, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    return fromProtocolError(code, error);
  }
}

export function malformed(code: EnrollmentErrorCode, field: string, detail: string): EnrollmentError {
  return new EnrollmentError(code, 'malformed', `${field}: ${detail}`, { field });
}

/** Checks the request shape the HTTP layer hands over. */
export function checkRequest(code: EnrollmentErrorCode, request: EnrollmentRequest): Uint8Array {
  const body = request?.body;
  if (!(body instanceof Uint8Array)) throw malformed(code, 'body', 'must be the raw body bytes');
  if (body.length > MAX_ENROLLMENT_BODY) {
    throw malformed(code, 'body', `must be at most ${MAX_ENROLLMENT_BODY} bytes`);
  }
  return body;
}

/** The body as a JSON object (text or bytes, Gson escapes included). */
export function readBodyObject(code: EnrollmentErrorCode, body: Uint8Array): Record<string, unknown> {
  return readJson(code, body, 'body');
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A JSON object from UTF-8 bytes (strict UTF-8, real JSON parser, no text comparison). */
export function readJson(
  code: EnrollmentErrorCode,
  bytes: Uint8Array,
  field: string,
): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(bytes));
  } catch {
    throw malformed(code, field, 'must be UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(code, field, 'must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** `requestObject` of a wrapped body `{"requestObject":{…}}`. */
export function readRequestObject(code: EnrollmentErrorCode, body: Uint8Array): Record<string, unknown> {
  const inner = readBodyObject(code, body).requestObject;
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
    throw malformed(code, 'requestObject', 'must be a JSON object');
  }
  return inner as Record<string, unknown>;
}
