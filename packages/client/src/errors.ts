import { OffcodeBaseError, type OffcodeErrorKind } from '@offcode/errors';

/** Why a token operation failed (client.md §4). Stable API: callers match on `code`, never on messages. */
export type ClientErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_QR'
  | 'QR_CAPACITY_EXCEEDED'
  | 'SIGNATURE_INVALID'
  | 'WRONG_ACTIVATION'
  | 'BIOMETRY_NOT_ALLOWED'
  | 'BIOMETRY_UNAVAILABLE'
  | 'NOT_ACTIVATED'
  | 'ALREADY_ACTIVATED'
  | 'ACTIVATION_FAILED'
  | 'REMOVE_FAILED'
  | 'NETWORK_ERROR'
  | 'STORAGE_FAILURE'
  | 'CRYPTO_UNAVAILABLE';

export interface ClientErrorDetails {
  /** payload.md §5.3 reason code, for `INVALID_QR` / `QR_CAPACITY_EXCEEDED`. */
  reason?: string;
  /** PowerAuth / Offcode error code from the server envelope (`ERR0009`, `OFF-0001`, …). */
  serverCode?: string;
  /** The underlying failure, kept for debugging (never shown by the CLI unless OFFCODE_DEBUG=1). */
  cause?: unknown;
  /** The offending input field (`pin`, `applicationId`, …), when the error is about one. */
  field?: string;
}

/** Whose fault each code is (the common `kind` of @offcode/errors). */
const KINDS: Readonly<Record<ClientErrorCode, OffcodeErrorKind>> = {
  INVALID_INPUT: 'input',
  INVALID_QR: 'input',
  QR_CAPACITY_EXCEEDED: 'input',
  SIGNATURE_INVALID: 'rejected',
  WRONG_ACTIVATION: 'rejected',
  BIOMETRY_NOT_ALLOWED: 'rejected',
  BIOMETRY_UNAVAILABLE: 'unavailable',
  NOT_ACTIVATED: 'rejected',
  ALREADY_ACTIVATED: 'rejected',
  ACTIVATION_FAILED: 'rejected',
  REMOVE_FAILED: 'rejected',
  NETWORK_ERROR: 'unavailable',
  STORAGE_FAILURE: 'unavailable',
  CRYPTO_UNAVAILABLE: 'internal',
};

/**
 * The only error the token throws. The message is one English sentence that never contains keys, PINs,
 * codes or counter data.
 */
export class OffcodeClientError extends OffcodeBaseError {
  override readonly name = 'OffcodeClientError';
  declare readonly code: ClientErrorCode;
  readonly reason?: string;
  readonly serverCode?: string;

  constructor(code: ClientErrorCode, message: string, details: ClientErrorDetails = {}) {
    super(KINDS[code], code, message, { field: details.field ?? null, cause: details.cause });
    if (details.reason !== undefined) this.reason = details.reason;
    if (details.serverCode !== undefined) this.serverCode = details.serverCode;
  }
}

export const isClientError = (e: unknown): e is OffcodeClientError => e instanceof OffcodeClientError;

/** Runs `fn`; anything but an OffcodeClientError becomes `code` with `message` (the cause is kept). */
export async function mapFailure<T>(
  code: ClientErrorCode,
  message: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof OffcodeClientError) throw e;
    throw new OffcodeClientError(code, message, { cause: e });
  }
}
