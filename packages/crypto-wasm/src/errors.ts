/** Why an input was refused. */
export type OffcodeCryptoErrorCode = 'INVALID_INPUT' | 'UNSUPPORTED_BACKEND';

/**
 * The only error the crypto core throws for bad input. `field` names the offending argument; the message
 * never contains key, counter or code material.
 */
export class OffcodeCryptoError extends Error {
  override readonly name = 'OffcodeCryptoError';
  readonly code: OffcodeCryptoErrorCode;
  readonly field: string;

  constructor(field: string, message: string, code: OffcodeCryptoErrorCode = 'INVALID_INPUT') {
    super(`${field}: ${message}`);
    this.code = code;
    this.field = field;
  }
}
