import { OffcodeCryptoError } from './errors.js';
import { getNobleCrypto } from './noble.js';
import type { BackendName, OffcodeCrypto } from './types.js';
import { getWasmCrypto } from './wasm.js';

export const hasWebAssembly = (): boolean =>
  typeof WebAssembly === 'object' && typeof WebAssembly.Module === 'function';

/**
 * Returns a backend: `wasm`, `noble`, or `auto` (default: wasm where the WebAssembly engine can run the
 * module, else noble). Nothing else — no environment variable, no process-wide switch — takes part: the
 * caller's choice is the only one.
 */
export function getOffcodeCrypto(name: BackendName | 'auto' = 'auto'): OffcodeCrypto {
  if (name === 'auto') {
    if (!hasWebAssembly()) return getNobleCrypto();
    try {
      return getWasmCrypto();
    } catch {
      return getNobleCrypto();
    }
  }
  if (name === 'wasm') {
    if (!hasWebAssembly()) {
      throw new OffcodeCryptoError('backend', 'WebAssembly is not available here', 'UNSUPPORTED_BACKEND');
    }
    return getWasmCrypto();
  }
  if (name === 'noble') return getNobleCrypto();
  throw new OffcodeCryptoError('backend', 'must be "wasm", "noble" or "auto"', 'UNSUPPORTED_BACKEND');
}
