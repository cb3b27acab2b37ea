/**
 * @offcode/crypto-wasm: hashes, MACs and the PowerAuth V3/V4 offline authentication-code engine. Pick a
 * backend explicitly (`getOffcodeCrypto('wasm' | 'noble' | 'auto')`, `getWasmCrypto()`, `getNobleCrypto()`)
 * and call its methods; there are no module-level crypto functions and no environment switch.
 */
export { decimalValue, formatDecimal } from './decimal.js';
export { OffcodeCryptoError, type OffcodeCryptoErrorCode } from './errors.js';
export { OFFCODE_CRYPTO_METHODS } from './methods.js';
export { getNobleCrypto } from './noble.js';
export { getOffcodeCrypto } from './select.js';
export type * from './types.js';
export { MAX_DATA_CANDIDATES, MAX_INPUT_BYTES, MAX_WINDOW, parseOfflineCode } from './validate.js';
export { getWasmCrypto } from './wasm.js';
