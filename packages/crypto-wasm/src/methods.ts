import type { OffcodeCryptoMethod } from './types.js';

/** The method names of `OffcodeCrypto` (for validating or wrapping an engine object). */
export const OFFCODE_CRYPTO_METHODS: readonly OffcodeCryptoMethod[] = Object.freeze([
  'sha256',
  'hmacSha256',
  'sha3_256',
  'kmac256',
  'computeCodeComponents',
  'computeAuthCode',
  'nextCounter',
  'searchOfflineCode',
]);
