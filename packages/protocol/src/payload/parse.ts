/** Offline payload parser (payload.md 1.6): strict, forward compatible, never throws for bad input. */
import {
  isWellFormedString,
  tryDecodeBase64Strict,
  tryUtf8Decode,
  utf8Encode,
  utf8Length,
} from '../base64.js';
import { PayloadFormatError, type PayloadReason, type Result } from '../errors.js';
import { parseFlags } from '../flags.js';
import { parseOperationData } from '../operation-data/parse.js';
import { unescapeText } from './escape.js';
import {
  MAC_TAG_BYTES,
  MAX_DER_SIGNATURE_BYTES,
  MAX_PAYLOAD_BYTES,
  MIN_DER_SIGNATURE_BYTES,
  MIN_PAYLOAD_LINES,
  NONCE_BYTES,
} from './limits.js';
import type { KeyType, OfflinePayload, OfflinePayloadJson, SigningKey } from './types.js';

const SIGNING_KEYS: Record<KeyType, SigningKey> = { 0: 'MASTER', 1: 'PERSONALIZED', 2: 'PERSONALIZED_MAC' };

function failure(
  reason: PayloadReason,
  message: string,
  line?: number,
): { ok: false; error: PayloadFormatError } {
  const text = line === undefined ? message : `line ${line + 1}: ${message}`;
  return { ok: false, error: new PayloadFormatError(reason, text, line === undefined ? {} : { line }) };
}

/**
 * Splits the lines 5 .. n-3 into the TOTP and the extra lines. One function on purpose (payload.md 1.5): a
 * future attribute line sent without a TOTP would be taken as the TOTP, as by every reference token.
 */
export function splitOptionalLines(lines: readonly string[]): { totp: string | null; extraLines: string[] } {
  const n = lines.length;
  if (n < 8) return { totp: null, extraLines: [] };
  return { totp: lines[5]!, extraLines: lines.slice(6, n - 2) };
}

/** The JSON form: the payload without the byte arrays, keys in the documented order. */
export function offlinePayloadToJson(payload: OfflinePayload): OfflinePayloadJson {
  return {
    operationId: payload.operationId,
    title: payload.title,
    message: payload.message,
    operationData: payload.operationData,
    flags: payload.flags,
    totp: payload.totp,
    extraLines: payload.extraLines,
    isNewerFormat: payload.isNewerFormat,
    nonce: payload.nonce,
    keyType: payload.keyType,
    signingKey: payload.signingKey,
    signatureBase64: payload.signatureBase64,
    signedData: payload.signedData,
    dataForOfflineSigning: payload.dataForOfflineSigning,
  };
}

/**
 * Parses the QR text (a string, or the raw scanned bytes). The first failing check decides the reason; the
 * signed bytes are cut from the received text, never rebuilt from parsed values.
 */
export function parseOfflinePayload(input: string | Uint8Array): Result<OfflinePayload> {
  let text: string;
  if (typeof input === 'string') {
    if (!isWellFormedString(input))
      return failure('INVALID_UTF8', 'payload text contains lone UTF-16 surrogates');
    // Each UTF-16 unit is at least one UTF-8 byte: skip the count for obviously long input.
    if (input.length > MAX_PAYLOAD_BYTES || utf8Length(input) > MAX_PAYLOAD_BYTES) {
      return failure('PAYLOAD_TOO_LONG', `payload is longer than ${MAX_PAYLOAD_BYTES} UTF-8 bytes`);
    }
    text = input;
  } else if (input instanceof Uint8Array) {
    const decoded = tryUtf8Decode(input);
    if (decoded === null) return failure('INVALID_UTF8', 'payload bytes are not well-formed UTF-8');
    if (input.length > MAX_PAYLOAD_BYTES) {
      return failure('PAYLOAD_TOO_LONG', `payload is longer than ${MAX_PAYLOAD_BYTES} UTF-8 bytes`);
    }
    text = decoded;
  } else {
    return failure('INVALID_UTF8', 'payload must be a string or a Uint8Array');
  }

  if (text.includes('\r'))
    return failure('INVALID_LINE_BREAK', 'payload must use LF line breaks only (CR found)');
  const lines = text.split('\n');
  const n = lines.length;
  if (n < MIN_PAYLOAD_LINES) {
    return failure('TOO_FEW_LINES', `payload has ${n} lines, at least ${MIN_PAYLOAD_LINES} are required`);
  }
  if (lines[0]!.length === 0) return failure('MISSING_OPERATION_ID', 'operation ID must not be empty', 0);

  const last = n - 1;
  const lastLine = lines[last]!;
  if (lastLine.length === 0) return failure('MISSING_SIGNATURE', 'key type and signature are missing', last);
  const digit = lastLine[0]!;
  if (digit !== '0' && digit !== '1' && digit !== '2') {
    return failure('UNKNOWN_KEY_TYPE', 'key type must be 0, 1 or 2', last);
  }
  const keyType = Number(digit) as KeyType;
  const signatureBase64 = lastLine.slice(1);
  if (signatureBase64.length === 0)
    return failure('MISSING_SIGNATURE', 'signature is missing after the key type', last);
  const signature = tryDecodeBase64Strict(signatureBase64);
  if (signature === null) {
    return failure(
      'INVALID_SIGNATURE_ENCODING',
      'signature must be canonical standard Base64 with padding',
      last,
    );
  }
  if (
    keyType === 2
      ? signature.length !== MAC_TAG_BYTES
      : signature.length < MIN_DER_SIGNATURE_BYTES || signature.length > MAX_DER_SIGNATURE_BYTES
  ) {
    const rule =
      keyType === 2
        ? `exactly ${MAC_TAG_BYTES} bytes`
        : `${MIN_DER_SIGNATURE_BYTES} to ${MAX_DER_SIGNATURE_BYTES} bytes`;
    return failure(
      'INVALID_SIGNATURE_LENGTH',
      `signature of key type ${keyType} must be ${rule}, got ${signature.length}`,
      last,
    );
  }

  const nonce = lines[n - 2]!;
  const nonceBytes = tryDecodeBase64Strict(nonce);
  if (nonceBytes === null || nonceBytes.length !== NONCE_BYTES) {
    return failure('INVALID_NONCE', `nonce must be canonical Base64 of exactly ${NONCE_BYTES} bytes`, n - 2);
  }

  const parsedData = parseOperationData(lines[3]!);
  if (!parsedData.ok) return parsedData;

  const { totp, extraLines } = splitOptionalLines(lines);
  const signedData = text.slice(0, text.length - signatureBase64.length);
  const operationId = lines[0]!;
  const body = `${operationId}&${lines[3]!}${totp === null ? '' : `&${totp}`}`;
  const payload: OfflinePayload = {
    operationId,
    title: unescapeText(lines[1]!),
    message: unescapeText(lines[2]!),
    operationData: parsedData.value,
    flags: parseFlags(lines[4]!),
    totp,
    extraLines: Object.freeze(extraLines) as string[],
    isNewerFormat: extraLines.length > 0,
    nonce,
    keyType,
    signingKey: SIGNING_KEYS[keyType],
    signatureBase64,
    signature,
    signedData,
    signedBytes: utf8Encode(signedData),
    dataForOfflineSigning: body,
  };
  // JSON.stringify(payload) gives the documented JSON form (no byte arrays).
  Object.defineProperty(payload, 'toJSON', { value: () => offlinePayloadToJson(payload), enumerable: false });
  return { ok: true, value: Object.freeze(payload) };
}

/** Like `parseOfflinePayload`, but throws the `PayloadFormatError`. */
export function parseOfflinePayloadOrThrow(input: string | Uint8Array): OfflinePayload {
  const result = parseOfflinePayload(input);
  if (!result.ok) throw result.error;
  return result.value;
}
