/**
 * The HTTP side of errors (server.md §1.3, §1.4): the codes only the HTTP layer raises (credentials, method,
 * route), the HTTP status of every error code, and the one error list of `/rest/v3/error/list`. The services
 * of @offcode/server know no HTTP: their errors carry `code`, `field` and `kind`, and this module maps them.
 */
import { OffcodeBaseError, type OffcodeErrorKind } from '@offcode/errors';
import { listErrors, type OffcodeError } from '@offcode/server';

/** Codes the HTTP layer raises itself, with their status, kind and default message. */
const HTTP_CODES = {
  'OFF-0001': {
    status: 401,
    kind: 'rejected',
    name: 'UNAUTHORIZED',
    message: 'Integration credentials are missing or wrong.',
  },
  'OFF-0002': { status: 405, kind: 'input', name: 'METHOD_NOT_ALLOWED', message: 'Method not allowed.' },
  ERROR_NOT_FOUND: { status: 404, kind: 'rejected', name: 'NOT_FOUND', message: 'Not found.' },
  'OFF-0003': {
    status: 503,
    kind: 'unavailable',
    name: 'SHUTTING_DOWN',
    message: 'The server is shutting down; retry the request.',
  },
} as const satisfies Record<
  string,
  { status: number; kind: OffcodeErrorKind; name: string; message: string }
>;

export type OffcodeHttpErrorCode = keyof typeof HTTP_CODES;

/** Code → name of the HTTP-only codes (the server's own table is `ERROR_CODES` of @offcode/server). */
export const HTTP_ERROR_CODES: Readonly<Record<OffcodeHttpErrorCode, string>> = Object.freeze(
  Object.fromEntries(Object.entries(HTTP_CODES).map(([code, d]) => [code, d.name])) as Record<
    OffcodeHttpErrorCode,
    string
  >,
);

/** An answer of the HTTP layer itself: 401 OFF-0001, 405 OFF-0002, 404 ERROR_NOT_FOUND or 503 OFF-0003. */
export class OffcodeHttpError extends OffcodeBaseError {
  override readonly name = 'OffcodeHttpError';
  declare readonly code: OffcodeHttpErrorCode;
  /** The HTTP status of this answer. */
  readonly status: number;

  constructor(code: OffcodeHttpErrorCode, message?: string) {
    const d = HTTP_CODES[code];
    if (d === undefined) throw new TypeError(`unknown HTTP error code ${JSON.stringify(code)}`);
    super(d.kind, code, message ?? d.message);
    this.status = d.status;
  }
}

/**
 * HTTP status of an error answer (server.md §1.3): the HTTP layer's own codes carry theirs; of the server's
 * codes ERR0000 is 500, the `unavailable` kind (OFF-0201) 503, and every other code 400 (PowerAuth answers
 * input, state and key errors alike with 400).
 */
export function httpStatusOf(error: OffcodeError | OffcodeHttpError): number {
  if (error instanceof OffcodeHttpError) return error.status;
  if (error.code === 'ERR0000') return 500;
  if (error.kind === 'unavailable') return 503;
  return 400;
}

/** Both code tables for `/rest/v3/error/list` (server.md §1.4): the server's codes, then the HTTP layer's. */
export function listAllErrors(): { code: string; value: string }[] {
  const http = (Object.keys(HTTP_CODES) as OffcodeHttpErrorCode[]).map((code) => ({
    code,
    value: HTTP_CODES[code].message,
  }));
  return [...listErrors(), ...http];
}
