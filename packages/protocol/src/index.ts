/**
 * @offcode/protocol: PowerAuth-compatible offline payload (QR text) format, operation data, flags,
 * normalized data, decimal code helpers, V3/V4 key material and derivation, payload signatures, TOTP,
 * activation codes and the PowerAuth 3.3 enrollment primitives (pa3).
 */
export * from './activation-code.js';
export * from './base64.js';
export * from './code.js';
export {
  PayloadFormatError,
  type PayloadReason,
  ProtocolError,
  type ProtocolErrorCode,
  type Result,
} from './errors.js';
export * from './keys/index.js';
export * from './normalized-data.js';
export * from './operation-data/index.js';
export * from './pa3/index.js';
export * from './payload/index.js';
export * from './signature.js';
export { type CryptoSuite, checkSuite } from './suite.js';
export * from './totp.js';
