/** `@offcode/protocol/payload`: the offline payload (QR text), its flags and the QR symbol helpers. */

export { formatCodeForDisplay, normalizeCodeInput } from '../code.js';
export { PayloadFormatError, type PayloadReason, type Result } from '../errors.js';
export { buildFlags, type PayloadFlags, parseFlags } from '../flags.js';
export {
  assemblePayload,
  buildPayloadData,
  type ComposeSignedDataInput,
  composeSignedData,
  generateNonce,
  MAX_OPERATION_ID_LENGTH,
  type PayloadDataInput,
} from './build.js';
export { escapeText, unescapeText } from './escape.js';
export {
  MAC_TAG_BYTES,
  MAX_DER_SIGNATURE_BYTES,
  MAX_PAYLOAD_BYTES,
  MIN_DER_SIGNATURE_BYTES,
  MIN_PAYLOAD_LINES,
  NONCE_BYTES,
} from './limits.js';
export {
  offlinePayloadToJson,
  parseOfflinePayload,
  parseOfflinePayloadOrThrow,
  splitOptionalLines,
} from './parse.js';
export {
  checkQrCapacity,
  decodeScannedBytes,
  QR_BYTE_CAPACITY,
  type QrCapacity,
  type QrErrorCorrectionLevel,
  qrPayloadBytes,
} from './qr.js';
export type { KeyType, OfflinePayload, OfflinePayloadJson, SigningKey } from './types.js';
