/**
 * @offcode/protocol: PowerAuth-compatible offline payload (QR text) format, operation data, flags,
 * normalized data, decimal code helpers, V3/V4 key material and derivation, payload signatures, TOTP,
 * activation codes, the protocol parameter table and the shared text rules. The PowerAuth 3.3 enrollment
 * primitives are the `./pa3` entry. Every function that hashes, MACs, derives, signs, verifies, multiplies
 * or encrypts takes a `CryptoSuite` as its first parameter. Each name has exactly this one home.
 */
export {
  crc16Arc,
  encodeActivationCode,
  generateActivationCode,
  parseActivationCode,
  parseActivationCodeOrThrow,
} from './activation-code.js';
export {
  decodeBase64Strict,
  encodeBase64,
  isStrictBase64,
  isWellFormedString,
  tryDecodeBase64Strict,
  tryUtf8Decode,
  utf8Decode,
  utf8Encode,
  utf8Length,
} from './base64.js';
export { hasControlCharacter, isValidName, MAX_NAME_LENGTH, removeControlCharacters } from './chars.js';
export {
  type CodeShape,
  formatCodeForDisplay,
  formatDecimalCode,
  normalizeTypedCode,
  parseSubmittedCode,
  SUBMITTED_CODE_PATTERN,
  type SubmittedCode,
} from './code.js';
export { type EcdsaSigningKey, prepareEcdsaSigningKey, signEcdsaDer, verifyEcdsaDer } from './ecdsa.js';
export {
  type PayloadErrorLocation,
  PayloadFormatError,
  type PayloadReason,
  ProtocolError,
  type ProtocolErrorCode,
  type Result,
} from './errors.js';
export { buildFlags, type PayloadFlags, parseFlags } from './flags.js';
export * from './keys/index.js';
export {
  buildOfflineBody,
  buildRequestData,
  DEFAULT_OFFLINE_URI_ID,
  normalizedDataForPayload,
  offlineDataBytes,
  parseVerifyData,
  type VerifyData,
  verifyDataCandidates,
  verifyRequestDataForPayload,
} from './normalized-data.js';
export {
  buildOperationData,
  MAX_BUILDER_POSITION,
  type PaymentOperationInput,
  paymentOperationData,
} from './operation-data/build.js';
export {
  MAX_PARSED_FIELDS,
  parseOperationData,
  parseOperationDataOrThrow,
  templateName,
} from './operation-data/parse.js';
export type * from './operation-data/types.js';
export {
  buildPayloadData,
  type ComposeSignedDataInput,
  composeSignedData,
  generateNonce,
  MAX_OPERATION_ID_LENGTH,
  type PayloadDataInput,
} from './payload/build.js';
export { escapeText, unescapeText } from './payload/escape.js';
export {
  MAC_TAG_BYTES,
  MAX_DER_SIGNATURE_BYTES,
  MAX_PAYLOAD_BYTES,
  MIN_DER_SIGNATURE_BYTES,
  MIN_PAYLOAD_LINES,
  NONCE_BYTES,
} from './payload/limits.js';
export { offlinePayloadToJson, parseOfflinePayload, parseOfflinePayloadOrThrow } from './payload/parse.js';
export {
  checkQrCapacity,
  decodeScannedBytes,
  QR_BYTE_CAPACITY,
  type QrCapacity,
  type QrErrorCorrectionLevel,
  qrPayloadBytes,
} from './payload/qr.js';
export type { KeyType, OfflinePayload, OfflinePayloadJson, SigningKey } from './payload/types.js';
export type { CryptoImplementation } from './runtime.js';
export {
  isKeyTypeValidFor,
  macPayloadV4,
  PAYLOAD_MAC_CUSTOMIZATION,
  type SignOfflinePayloadInput,
  signOfflinePayload,
  type VerifyPayloadKeys,
  verifyOfflinePayloadSignature,
} from './signature.js';
export { type CryptoSuite, checkSuite, createCryptoSuite } from './suite.js';
export { type TotpAlgorithm, type TotpOptions, totp, totpCandidates } from './totp.js';
export {
  checkProtocolVersion,
  PROTOCOL_PARAMETERS,
  PROTOCOL_VERSIONS,
  type ProtocolParameters,
  type ProtocolVersion,
  protocolParameters,
  versionOfCurve,
} from './versions.js';
