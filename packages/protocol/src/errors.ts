import { OffcodeBaseError, type OffcodeErrorKind } from '@offcode/errors';

/** Why a non-payload input (Base64, keys, normalized data, TOTP options) was refused. */
export type ProtocolErrorCode =
  | 'INVALID_BASE64'
  | 'INVALID_KEY'
  | 'INVALID_LENGTH'
  | 'INVALID_DATA'
  | 'INVALID_ARGUMENT'
  | 'UNSUPPORTED';

/** `UNSUPPORTED` is a runtime that lacks what was configured (`internal`); every other code is bad input. */
const protocolErrorKind = (code: ProtocolErrorCode): OffcodeErrorKind =>
  code === 'UNSUPPORTED' ? 'internal' : 'input';

/**
 * The error of the non-payload parts. `field` names the offending argument; the message never contains
 * key material or other secrets (it describes the rule, not the value).
 */
export class ProtocolError extends OffcodeBaseError {
  override readonly name = 'ProtocolError';
  declare readonly code: ProtocolErrorCode;
  declare readonly field: string;

  constructor(code: ProtocolErrorCode, field: string, message: string, options: { cause?: unknown } = {}) {
    super(protocolErrorKind(code), code, `${field}: ${message}`, { field, cause: options.cause });
  }
}

/** Stable machine-readable reasons of the payload, operation-data, QR and code-entry functions (payload.md 5.3). */
export type PayloadReason =
  | 'INVALID_UTF8'
  | 'PAYLOAD_TOO_LONG'
  | 'INVALID_LINE_BREAK'
  | 'TOO_FEW_LINES'
  | 'MISSING_OPERATION_ID'
  | 'MISSING_SIGNATURE'
  | 'UNKNOWN_KEY_TYPE'
  | 'INVALID_SIGNATURE_ENCODING'
  | 'INVALID_SIGNATURE_LENGTH'
  | 'INVALID_NONCE'
  | 'MISSING_OPERATION_DATA'
  | 'INVALID_DATA_VERSION'
  | 'INVALID_TEMPLATE_ID'
  | 'TOO_MANY_FIELDS'
  | 'INVALID_AMOUNT'
  | 'INVALID_CURRENCY'
  | 'INVALID_ACCOUNT'
  | 'INVALID_DATE'
  | 'MISSING_VERSION'
  | 'MISSING_TEMPLATE_ID'
  | 'INVALID_POSITION'
  | 'UNKNOWN_FIELD_TYPE'
  | 'INVALID_TEXT'
  | 'AMOUNT_NOT_POSITIVE'
  | 'AMOUNT_TOO_PRECISE'
  | 'INVALID_OPERATION_ID'
  | 'INVALID_TOTP'
  | 'QR_CAPACITY_EXCEEDED'
  | 'CODE_EMPTY'
  | 'CODE_INVALID_CHARACTER'
  | 'CODE_WRONG_LENGTH'
  | 'INVALID_COMPONENT_LENGTH';

export interface PayloadErrorLocation {
  /** 0-based payload line. */
  line?: number;
  /** 1-based operation-data field position; for a typed code, the offending character's (in code points). */
  position?: number;
}

/**
 * The only error thrown (or returned in a failed `Result`) by the payload part (`kind: 'input'`). Match on
 * `reason` (the payload.md 5.3 name; `code` holds the same value for the common Offcode error handling),
 * never on `message`: messages are English sentences that count lines from 1 and quote at most 32
 * characters of input. `field` is null: the whole payload (or typed code) is the offending input, located by
 * `line` and `position`.
 */
export class PayloadFormatError extends OffcodeBaseError {
  override readonly name = 'PayloadFormatError';
  declare readonly code: PayloadReason;
  readonly reason: PayloadReason;
  readonly line?: number;
  /** 1-based operation-data field position (was `field` before 0.2); for a typed code, the character's. */
  readonly position?: number;

  constructor(reason: PayloadReason, message: string, location: PayloadErrorLocation = {}) {
    super('input', reason, message);
    this.reason = reason;
    if (location.line !== undefined) this.line = location.line;
    if (location.position !== undefined) this.position = location.position;
  }
}

/** Success or a typed failure, for functions that never throw on bad input. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: PayloadFormatError };

/** Quotes at most 32 characters of untrusted input for an error message (never a secret). */
export function quote(text: string): string {
  const chars = Array.from(text);
  const shown = chars.length > 32 ? `${chars.slice(0, 32).join('')}…` : text;
  return JSON.stringify(shown);
}
