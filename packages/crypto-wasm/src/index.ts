/**
 * @offcode/crypto-wasm: hashes, MACs and the PowerAuth V3/V4 offline authentication-code engine.
 * The default backend is WebAssembly where available and @noble/hashes otherwise; override with
 * `getOffcodeCrypto('noble' | 'wasm')` or the OFFCODE_CRYPTO_BACKEND environment variable.
 */
import { OffcodeCryptoError } from './errors.js';
import { makeFacade } from './facade.js';
import { getNobleCrypto } from './noble.js';
import { BACKEND_ENV, backendFromEnv, hasWebAssembly } from './select.js';
import type { BackendName, OffcodeCrypto } from './types.js';
import { getWasmCrypto } from './wasm.js';

export { decimalValue, formatDecimal } from './decimal.js';
export { OffcodeCryptoError, type OffcodeCryptoErrorCode } from './errors.js';
export { getNobleCrypto } from './noble.js';
export type * from './types.js';
export { MAX_DATA_CANDIDATES, MAX_INPUT_BYTES, MAX_WINDOW, parseOfflineCode } from './validate.js';
export { getWasmCrypto } from './wasm.js';
export { BACKEND_ENV };

/**
 * Returns a backend: `wasm`, `noble`, or `auto` (default: the env variable if set, else wasm when the
 * WebAssembly engine can run the module, else noble).
 */
export function getOffcodeCrypto(name: BackendName | 'auto' = 'auto'): OffcodeCrypto {
  const forced = name === 'auto' ? backendFromEnv() : name;
  if (forced === undefined) {
    // auto: wasm where the engine can run this module (WebAssembly with SIMD), else noble
    if (!hasWebAssembly()) return getNobleCrypto();
    try {
      return getWasmCrypto();
    } catch {
      return getNobleCrypto();
    }
  }
  const chosen = forced;
  if (chosen === 'wasm') {
    if (!hasWebAssembly()) {
      throw new OffcodeCryptoError('backend', 'WebAssembly is not available here', 'UNSUPPORTED_BACKEND');
    }
    return getWasmCrypto();
  }
  if (chosen === 'noble') return getNobleCrypto();
  throw new OffcodeCryptoError('backend', 'must be "wasm", "noble" or "auto"', 'UNSUPPORTED_BACKEND');
}

export const {
  sha256,
  hmacSha256,
  sha3_256,
  kmac256,
  computeCodeComponents,
  computeAuthCode,
  nextCounter,
  searchOfflineCode,
} = makeFacade(getOffcodeCrypto);
