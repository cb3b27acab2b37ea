/** Why a non-payload input (Base64, keys, normalized data, TOTP options) was refused. */
export type ProtocolErrorCode =
  | 'INVALID_BASE64'
  | 'INVALID_KEY'
  | 'INVALID_LENGTH'
  | 'INVALID_DATA'
  | 'INVALID_ARGUMENT'
  | 'UNSUPPORTED';

/**
 * The error of the non-payload parts. `field` names the offending argument; the message never contains
 * key material or other secrets (it describes the rule, not the value).
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ProtocolErrorCode;
  readonly field: string;

  constructor(code: ProtocolErrorCode, field: string, message: string) {
    super(`${field}: ${message}`);
    this.code = code;
    this.field = field;
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
  /** 1-based operation-data field position. */
  field?: number;
}

/**
 * The only error thrown (or returned in a failed `Result`) by the payload part. Match on `reason`, never on
 * `message`: messages are English sentences that count lines from 1 and quote at most 32 characters of input.
 */
export class PayloadFormatError extends Error {
  override readonly name = 'PayloadFormatError';
  readonly reason: PayloadReason;
  readonly line?: number;
  readonly field?: number;

  constructor(reason: PayloadReason, message: string, location: PayloadErrorLocation = {}) {
    super(message);
    this.reason = reason;
    if (location.line !== undefined) this.line = location.line;
    if (location.field !== undefined) this.field = location.field;
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
