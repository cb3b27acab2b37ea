import { OffcodeCryptoError } from './errors.js';
import type { BackendName } from './types.js';

/** Environment variable that forces a backend (`wasm` or `noble`) where the caller did not choose one. */
export const BACKEND_ENV = 'OFFCODE_CRYPTO_BACKEND';

export function backendFromEnv(): BackendName | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[BACKEND_ENV];
  if (value === undefined || value === '' || value === 'auto') return undefined;
  if (value !== 'wasm' && value !== 'noble') {
    throw new OffcodeCryptoError(BACKEND_ENV, 'must be "wasm", "noble" or "auto"', 'UNSUPPORTED_BACKEND');
  }
  return value;
}

export const hasWebAssembly = (): boolean =>
  typeof WebAssembly === 'object' && typeof WebAssembly.Module === 'function';
