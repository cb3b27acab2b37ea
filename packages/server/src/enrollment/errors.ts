/**
 * Errors of the PowerAuth 3.3 device endpoints (activation.md "Offcode decisions" 4): the PowerAuth
 * RESTful-integration codes and their fixed messages, which is all the wire shows. `reason` and `field` say
 * exactly which check refused the request, for logs, metrics and tests; they never travel to the device for a
 * refused check (a wrong MAC, a replay, an unknown key), only the field of malformed input does.
 */
import { OffcodeBaseError, type OffcodeErrorKind } from '@offcode/errors';

/** The RESTful-integration codes the endpoints answer with, and their fixed messages. */
export const ENROLLMENT_ERRORS = {
  ERR_TEMPORARY_KEY: 'POWER_AUTH_TEMPORARY_KEY_FAILURE',
  ERR_ENCRYPTION: 'POWER_AUTH_ENCRYPTION_INVALID',
  ERR_ACTIVATION: 'POWER_AUTH_ACTIVATION_INVALID',
  ERR_AUTHENTICATION: 'POWER_AUTH_SIGNATURE_INVALID',
} as const;

export type EnrollmentErrorCode = keyof typeof ENROLLMENT_ERRORS;

/** Which check refused a request (stable names; never sent for `rejected` errors). */
export type EnrollmentRefusal =
  | 'malformed'
  | 'unsupported_version'
  | 'unsupported_type'
  | 'unsupported_otp'
  | 'application'
  | 'jwt_signature'
  | 'activation_state'
  | 'temporary_key_unknown'
  | 'temporary_key_expired'
  | 'temporary_key_scope'
  | 'timestamp_window'
  | 'mac'
  | 'padding'
  | 'replay'
  | 'code_crc'
  | 'code_unknown'
  | 'code_used'
  | 'code_expired'
  | 'protocol_version'
  | 'signature_type'
  | 'signature';

export class EnrollmentError extends OffcodeBaseError {
  override readonly name = 'EnrollmentError';
  declare readonly code: EnrollmentErrorCode;
  readonly reason: EnrollmentRefusal;
  /** A one-line explanation for logs (field names and reasons, never a value of a secret). */
  readonly detail: string;

  constructor(
    code: EnrollmentErrorCode,
    reason: EnrollmentRefusal,
    detail: string,
    options: { field?: string | null; kind?: OffcodeErrorKind; cause?: unknown } = {},
  ) {
    const kind = options.kind ?? (reason === 'malformed' ? 'input' : 'rejected');
    super(kind, code, `${ENROLLMENT_ERRORS[code]}: ${detail}`, {
      field: options.field ?? null,
      cause: options.cause,
    });
    this.reason = reason;
    this.detail = detail;
  }

  /**
   * The `responseObject` of the RESTful-integration error envelope: the code and its fixed message, plus the
   * offending field for malformed input only.
   */
  toResponseObject(): { code: EnrollmentErrorCode; message: string; field?: string } {
    const out: { code: EnrollmentErrorCode; message: string; field?: string } = {
      code: this.code,
      message: ENROLLMENT_ERRORS[this.code],
    };
    if (this.kind === 'input' && this.field !== null) out.field = this.field;
    return out;
  }
}

export const isEnrollmentError = (e: unknown): e is EnrollmentError => e instanceof EnrollmentError;
