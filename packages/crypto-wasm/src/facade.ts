import type { BackendName, OffcodeCrypto } from './types.js';

/** Module-level functions that delegate to the default backend, resolved on first call. */
export function makeFacade(resolve: (name?: BackendName | 'auto') => OffcodeCrypto) {
  const d = () => resolve();
  return {
    sha256: (data: Uint8Array) => d().sha256(data),
    hmacSha256: (key: Uint8Array, data: Uint8Array) => d().hmacSha256(key, data),
    sha3_256: (data: Uint8Array) => d().sha3_256(data),
    kmac256: (...args: Parameters<OffcodeCrypto['kmac256']>) => d().kmac256(...args),
    computeCodeComponents: (...args: Parameters<OffcodeCrypto['computeCodeComponents']>) =>
      d().computeCodeComponents(...args),
    computeAuthCode: (...args: Parameters<OffcodeCrypto['computeAuthCode']>) => d().computeAuthCode(...args),
    nextCounter: (...args: Parameters<OffcodeCrypto['nextCounter']>) => d().nextCounter(...args),
    searchOfflineCode: (...args: Parameters<OffcodeCrypto['searchOfflineCode']>) =>
      d().searchOfflineCode(...args),
  };
}
