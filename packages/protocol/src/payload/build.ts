/** Issuer side of the payload (payload.md 5.2): the data block, the signed text and the final QR text. */

import { randomBytes } from '@noble/hashes/utils.js';
import { encodeBase64, isWellFormedString, tryDecodeBase64Strict } from '../base64.js';
import { hasControlCharacter } from '../chars.js';
import { PayloadFormatError } from '../errors.js';
import { buildFlags, type PayloadFlags } from '../flags.js';
import { parseOperationData } from '../operation-data/parse.js';
import { escapeText } from './escape.js';
import { NONCE_BYTES } from './limits.js';
import type { KeyType } from './types.js';

/** Longest operation ID accepted by `buildPayloadData`, in characters (code points). */
export const MAX_OPERATION_ID_LENGTH = 256;

export interface PayloadDataInput {
  /** 1..256 characters, no control characters. */
  operationId: string;
  /** Raw title; escaped here. */
  title: string;
  /** Raw message; escaped here. */
  message: string;
  /** A valid operation-data line (e.g. from `buildOperationData`). */
  operationData: string;
  flags?: Partial<PayloadFlags>;
}

/**
 * The five-line `data` block sent to the create endpoints:
 * `operationId LF escape(title) LF escape(message) LF operationData LF flags`.
 */
export function buildPayloadData(input: PayloadDataInput): string {
  const { operationId, title, message, operationData, flags } = input ?? ({} as PayloadDataInput);
  if (
    typeof operationId !== 'string' ||
    operationId.length === 0 ||
    hasControlCharacter(operationId) ||
    !isWellFormedString(operationId) ||
    Array.from(operationId).length > MAX_OPERATION_ID_LENGTH
  ) {
    throw new PayloadFormatError(
      'INVALID_OPERATION_ID',
      `operation ID must be 1 to ${MAX_OPERATION_ID_LENGTH} characters without control characters`,
      { line: 0 },
    );
  }
  const escapedTitle = escapeText(title);
  const escapedMessage = escapeText(message);
  const parsed = parseOperationData(operationData);
  if (!parsed.ok) throw parsed.error;
  return `${operationId}\n${escapedTitle}\n${escapedMessage}\n${operationData}\n${buildFlags(flags ?? {})}`;
}

export interface ComposeSignedDataInput {
  /** The data block (normally from `buildPayloadData`); may end in LF when the flags line is empty. */
  data: string;
  /** Proximity TOTP, 6..8 digits; personalized payloads only. */
  totp?: string | null;
  /** Canonical Base64 of 16 bytes. */
  nonce: string;
  keyType: KeyType;
}

/** `data [LF totp] LF nonce LF digit`: the exact text the issuer signs (crypto.md 7.1). */
export function composeSignedData(input: ComposeSignedDataInput): string {
  const { data, totp, nonce, keyType } = input ?? ({} as ComposeSignedDataInput);
  if (typeof data !== 'string' || data.length === 0) {
    throw new PayloadFormatError('MISSING_OPERATION_ID', 'data must be a non-empty string', { line: 0 });
  }
  if (!isWellFormedString(data))
    throw new PayloadFormatError('INVALID_UTF8', 'data contains lone UTF-16 surrogates');
  if (data.includes('\r'))
    throw new PayloadFormatError('INVALID_LINE_BREAK', 'data must use LF line breaks only (CR found)');
  if (totp !== undefined && totp !== null && (typeof totp !== 'string' || !/^[0-9]{6,8}$/.test(totp))) {
    throw new PayloadFormatError('INVALID_TOTP', 'TOTP must be 6 to 8 digits');
  }
  const nonceBytes = typeof nonce === 'string' ? tryDecodeBase64Strict(nonce) : null;
  if (nonceBytes === null || nonceBytes.length !== NONCE_BYTES) {
    throw new PayloadFormatError(
      'INVALID_NONCE',
      `nonce must be canonical Base64 of exactly ${NONCE_BYTES} bytes`,
    );
  }
  if (keyType !== 0 && keyType !== 1 && keyType !== 2) {
    throw new PayloadFormatError('UNKNOWN_KEY_TYPE', 'key type must be 0, 1 or 2');
  }
  return `${data}\n${totp ? `${totp}\n` : ''}${nonce}\n${keyType}`;
}

/** The QR text: the signed text immediately followed by canonical Base64 of the signature (no trailing LF). */
export function assemblePayload(signedData: string, signature: Uint8Array): string {
  if (typeof signedData !== 'string' || !/\n[012]$/.test(signedData)) {
    throw new PayloadFormatError('UNKNOWN_KEY_TYPE', 'signed data must end with LF and the key-type digit');
  }
  if (!(signature instanceof Uint8Array) || signature.length === 0) {
    throw new PayloadFormatError('MISSING_SIGNATURE', 'signature must be a non-empty Uint8Array');
  }
  return signedData + encodeBase64(signature);
}

/** A fresh nonce: canonical Base64 of 16 CSPRNG bytes (or of the 16 bytes `random` returns). */
export function generateNonce(random: (length: number) => Uint8Array = randomBytes): string {
  const bytes = random(NONCE_BYTES);
  if (!(bytes instanceof Uint8Array) || bytes.length !== NONCE_BYTES) {
    throw new PayloadFormatError('INVALID_NONCE', `the random source must return ${NONCE_BYTES} bytes`);
  }
  return encodeBase64(bytes);
}
