/** `@offcode/protocol/keys`: EC key material and the V3 / V4 key derivations. */

export { type CryptoImplementation, setCryptoImplementation } from '../runtime.js';
export { generateCounterData, nextCounterData, type Protocol } from './counter.js';
export {
  type Curve,
  compressPublicKey,
  type EcKeyPair,
  type EcOptions,
  ecdh,
  generateKeyPair,
  normalizePrivateKey,
  normalizePublicKey,
  publicKeyFromPrivate,
} from './ec.js';
export { deriveKeysV3, deriveMasterSecretV3, kdfV3, V3_KEY_INDEX, type V3Keys, xorFold } from './v3.js';
export { deriveActivationSecretV4, deriveKeysV4, kdfV4, V4_LABELS, type V4Keys } from './v4.js';
