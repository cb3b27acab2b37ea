/** EC key material, CTR_DATA and the V3 / V4 key derivations (re-exported by the package root). */
export { generateCounterData, nextCounterData } from './counter.js';
export {
  type Curve,
  compressPublicKey,
  type EcKeyPair,
  ecdh,
  generateKeyPair,
  normalizePrivateKey,
  normalizePublicKey,
  publicKeyFromPrivate,
} from './ec.js';
export { deriveKeysV3, deriveMasterSecretV3, kdfV3, V3_KEY_INDEX, type V3Keys } from './v3.js';
export { deriveActivationSecretV4, deriveKeysV4, kdfV4, V4_LABELS, type V4Keys } from './v4.js';
