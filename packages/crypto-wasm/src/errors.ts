import { OffcodeBaseError } from '@offcode/errors';

/** Why an input was refused. */
export type OffcodeCryptoErrorCode = 'INVALID_INPUT' | 'UNSUPPORTED_BACKEND';

/**
 * The only error the crypto core throws. `field` names the offending argument; the message never contains
 * key, counter or code material. `INVALID_INPUT` is the caller's input (`kind: 'input'`);
 * `UNSUPPORTED_BACKEND` is a configuration that cannot run here (`kind: 'internal'`).
 */
export class OffcodeCryptoError extends OffcodeBaseError {
  override readonly name = 'OffcodeCryptoError';
  declare readonly code: OffcodeCryptoErrorCode;
  declare readonly field: string;

  constructor(field: string, message: string, code: OffcodeCryptoErrorCode = 'INVALID_INPUT') {
    super(code === 'INVALID_INPUT' ? 'input' : 'internal', code, `${field}: ${message}`, { field });
  }
}
