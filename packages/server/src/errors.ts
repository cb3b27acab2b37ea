/**
 * The one error type of @offcode/server (server.md §1.4). `code` is what travels on the wire, `field` names
 * the first offending request field (null when the error is not about one field), `kind` (from
 * @offcode/errors) says whose fault it is. The server knows no HTTP: statuses, the envelope and the codes only
 * the HTTP layer raises (OFF-0001, OFF-0002, ERROR_NOT_FOUND) belong to @offcode/fastify, which maps
 * kind and code to a status. Messages name fields and reasons only, never values of secret fields.
 */
import { OffcodeBaseError, type OffcodeErrorKind } from '@offcode/errors';

/** PowerAuth error codes the services use plus the Offcode ones (server.md §1.4). */
export const ERROR_CODES = {
  ERR0000: 'UNKNOWN_ERROR',
  ERR0003: 'NO_MASTER_SERVER_KEYPAIR',
  ERR0004: 'INCORRECT_MASTER_SERVER_KEYPAIR_PRIVATE',
  ERR0005: 'UNABLE_TO_GENERATE_ACTIVATION_ID',
  ERR0006: 'UNABLE_TO_GENERATE_ACTIVATION_CODE',
  ERR0007: 'ACTIVATION_EXPIRED',
  ERR0008: 'ACTIVATION_INCORRECT_STATE',
  ERR0009: 'ACTIVATION_NOT_FOUND',
  ERR0010: 'INVALID_KEY_FORMAT',
  ERR0013: 'UNABLE_TO_COMPUTE_AUTHENTICATION_CODE',
  ERR0015: 'INVALID_APPLICATION',
  ERR0020: 'MISSING_MASTER_DB_ENCRYPTION_KEY',
  ERR0021: 'UNSUPPORTED_ENCRYPTION_MODE',
  ERR0022: 'GENERIC_CRYPTOGRAPHY_ERROR',
  ERR0023: 'INVALID_CRYPTO_PROVIDER',
  ERR0024: 'INVALID_REQUEST',
  ERR0043: 'DUPLICATE_APPLICATION',
  ERR0047: 'PROTOCOL_VERSION_NOT_SUPPORTED',
  'OFF-0101': 'PAYLOAD_NOT_ISSUED',
  'OFF-0102': 'PAYLOAD_EXPIRED',
  'OFF-0103': 'PAYLOAD_CONSUMED',
  'OFF-0104': 'PAYLOAD_DATA_MISMATCH',
  'OFF-0105': 'NONCE_REUSED',
  'OFF-0201': 'DATABASE_BUSY',
} as const;

export type OffcodeErrorCode = keyof typeof ERROR_CODES;

const DEFAULT_MESSAGES: Record<OffcodeErrorCode, string> = {
  ERR0000: 'Unknown error occurred.',
  ERR0003: 'No master server key pair configured in database.',
  ERR0004: 'Master server key pair contains private key in incorrect format.',
  ERR0005: 'Too many failed attempts to generate activation ID.',
  ERR0006: 'Too many failed attempts to generate activation code.',
  ERR0007: 'Activation with given activation ID has expired.',
  ERR0008: 'Incorrect activation state.',
  ERR0009: 'Activation with given activation ID was not found.',
  ERR0010: 'Key with invalid format was provided.',
  ERR0013: 'Unable to compute authentication code.',
  ERR0015: 'Application with given ID is not present.',
  ERR0020: 'Missing master DB encryption key.',
  ERR0021: 'Unsupported encryption mode.',
  ERR0022: 'Generic cryptography error.',
  ERR0023: 'Invalid cryptography provider.',
  ERR0024: 'Invalid request.',
  ERR0043: 'Application already exists.',
  ERR0047: 'Protocol version is not supported.',
  'OFF-0101': 'No payload with this nonce was issued for this activation.',
  'OFF-0102': 'The payload has expired.',
  'OFF-0103': 'The payload was already used.',
  'OFF-0104': 'The data do not match the payload.',
  'OFF-0105': 'The nonce was already used for a payload that has not expired.',
  'OFF-0201': 'The database is busy or unreachable; retry later.',
};

/**
 * The kind of each code: malformed input, a well-formed request refused by state or rules (PowerAuth answers
 * both with 400), retry later, or our / the configuration's fault. A throw site may override it (ERR0010 for
 * a stored key that cannot be parsed is `internal`, for a submitted key `input`).
 */
const KINDS: Record<OffcodeErrorCode, OffcodeErrorKind> = {
  ERR0000: 'internal',
  ERR0003: 'rejected',
  ERR0004: 'internal',
  ERR0005: 'internal',
  ERR0006: 'internal',
  ERR0007: 'rejected',
  ERR0008: 'rejected',
  ERR0009: 'rejected',
  ERR0010: 'input',
  ERR0013: 'input',
  ERR0015: 'rejected',
  ERR0020: 'internal',
  ERR0021: 'internal',
  ERR0022: 'internal',
  ERR0023: 'internal',
  ERR0024: 'input',
  ERR0043: 'rejected',
  ERR0047: 'rejected',
  'OFF-0101': 'rejected',
  'OFF-0102': 'rejected',
  'OFF-0103': 'rejected',
  'OFF-0104': 'rejected',
  'OFF-0105': 'rejected',
  'OFF-0201': 'unavailable',
};

/** The default kind of a code. */
export const errorKindFor = (code: OffcodeErrorCode): OffcodeErrorKind => KINDS[code];

/** One input defect: the field path (relative to `requestObject`) and the reason. */
export interface ValidationIssue {
  field: string;
  reason: string;
}

export class OffcodeError extends OffcodeBaseError {
  override readonly name = 'OffcodeError';
  declare readonly code: OffcodeErrorCode;
  /** Every input defect (ERR0024), in request order; empty for other codes. */
  readonly issues: readonly ValidationIssue[];

  constructor(
    code: OffcodeErrorCode,
    message?: string,
    options: {
      field?: string | null;
      issues?: readonly ValidationIssue[];
      cause?: unknown;
      kind?: OffcodeErrorKind;
    } = {},
  ) {
    const issues = options.issues ?? [];
    super(options.kind ?? KINDS[code], code, message ?? DEFAULT_MESSAGES[code], {
      field: options.field ?? issues[0]?.field ?? null,
      cause: options.cause,
    });
    this.issues = issues;
  }

  /** ERR0024 listing every issue as `path - reason`, joined with `, ` (server.md §1.1). */
  static invalid(issues: readonly ValidationIssue[]): OffcodeError {
    const message = issues.map((i) => `${i.field} - ${i.reason}`).join(', ');
    return new OffcodeError('ERR0024', message, { issues });
  }

  /** ERR0024 for one field. */
  static invalidField(field: string, reason: string): OffcodeError {
    return OffcodeError.invalid([{ field, reason }]);
  }
}

export const isOffcodeError = (e: unknown): e is OffcodeError => e instanceof OffcodeError;

/** The services' codes with their default texts (`/rest/v3/error/list` adds the HTTP layer's, server.md §1.4). */
export function listErrors(): { code: string; value: string }[] {
  return (Object.keys(ERROR_CODES) as OffcodeErrorCode[]).map((code) => ({
    code,
    value: DEFAULT_MESSAGES[code],
  }));
}
