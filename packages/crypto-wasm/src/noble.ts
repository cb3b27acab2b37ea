/** The pure-JS backend (@noble/hashes): `import { getNobleCrypto } from '@offcode/crypto-wasm/noble'`. */
import { createOffcodeCrypto } from './engine.js';
import { createNobleBackend } from './noble-backend.js';
import type { OffcodeCrypto } from './types.js';

export { OffcodeCryptoError } from './errors.js';
export type * from './types.js';

let instance: OffcodeCrypto | undefined;

export function getNobleCrypto(): OffcodeCrypto {
  instance ??= createOffcodeCrypto(createNobleBackend());
  return instance;
}
