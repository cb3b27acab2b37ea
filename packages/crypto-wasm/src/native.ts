/**
 * React Native entry (the `react-native` export condition): the same names as the main entry, backed by
 * @noble/hashes only. It never imports or touches WebAssembly.
 */
import { OffcodeCryptoError } from './errors.js';
import { getNobleCrypto } from './noble.js';
import type { BackendName, OffcodeCrypto } from './types.js';

export { decimalValue, formatDecimal } from './decimal.js';
export { OffcodeCryptoError, type OffcodeCryptoErrorCode } from './errors.js';
export { OFFCODE_CRYPTO_METHODS } from './methods.js';
export { getNobleCrypto } from './noble.js';
export type * from './types.js';
export { MAX_DATA_CANDIDATES, MAX_INPUT_BYTES, MAX_WINDOW, parseOfflineCode } from './validate.js';

export function getOffcodeCrypto(name: BackendName | 'auto' = 'auto'): OffcodeCrypto {
  if (name === 'auto' || name === 'noble') return getNobleCrypto();
  throw new OffcodeCryptoError(
    'backend',
    'only "noble" exists in the react-native build',
    'UNSUPPORTED_BACKEND',
  );
}

export function getWasmCrypto(): never {
  throw new OffcodeCryptoError(
    'backend',
    'only "noble" exists in the react-native build',
    'UNSUPPORTED_BACKEND',
  );
}
