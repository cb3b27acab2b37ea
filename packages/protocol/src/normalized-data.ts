/**
 * Normalized data of offline codes (crypto.md 6):
 *   BODY = OPERATION_ID "&" OPERATION_DATA ["&" TOTP]
 *   REQUEST_DATA = "POST&" B64(uriId) "&" NONCE_B64 "&" B64(BODY)      (the verify API's `data`)
 *   DATA = UTF8(REQUEST_DATA "&offline")                                 (the bytes the code authenticates)
 * The token builds DATA from the payload (with the TOTP); the server gets REQUEST_DATA without TOTP and
 * without "&offline" and rebuilds one DATA per TOTP candidate.
 */

import { concatBytes } from '@noble/hashes/utils.js';
import { decodeBase64Strict, encodeBase64, tryDecodeBase64Strict, utf8Encode } from './base64.js';
import { ProtocolError } from './errors.js';
import type { OfflinePayload } from './payload/types.js';

export const DEFAULT_OFFLINE_URI_ID = '/operation/authorize/offline';
const OFFLINE_SUFFIX = '&offline';
const NONCE_BYTES = 16;

function checkString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new ProtocolError('INVALID_DATA', field, 'must be a string');
  return value;
}

/** `OPERATION_ID & OPERATION_DATA [& TOTP]` with the raw operation-data line. */
export function buildOfflineBody(input: {
  operationId: string;
  operationData: string;
  totp?: string | null;
}): string {
  const operationId = checkString(input?.operationId, 'operationId');
  const operationData = checkString(input?.operationData, 'operationData');
  const totp = input.totp;
  if (totp === undefined || totp === null) return `${operationId}&${operationData}`;
  return `${operationId}&${operationData}&${checkString(totp, 'totp')}`;
}

/** `POST & B64(uriId) & nonce & B64(body)`: the verify API's `data` (no "&offline"). */
export function buildRequestData(input: { nonce: string; body: string; uriId?: string }): string {
  const nonce = checkString(input?.nonce, 'nonce');
  decodeBase64Strict(nonce, 'nonce', NONCE_BYTES);
  const body = checkString(input.body, 'body');
  const uriId = checkString(input.uriId ?? DEFAULT_OFFLINE_URI_ID, 'uriId');
  return `POST&${encodeBase64(utf8Encode(uriId, 'uriId'))}&${nonce}&${encodeBase64(utf8Encode(body, 'body'))}`;
}

/** DATA = UTF8(requestData + "&offline"). */
export function offlineDataBytes(requestData: string): Uint8Array {
  return utf8Encode(checkString(requestData, 'requestData') + OFFLINE_SUFFIX, 'requestData');
}

/** Token side: DATA for a parsed payload (its TOTP included, "&offline" appended). */
export function normalizedDataForPayload(payload: OfflinePayload, opts: { uriId?: string } = {}): Uint8Array {
  return offlineDataBytes(
    buildRequestData({ nonce: payload.nonce, body: payload.dataForOfflineSigning, uriId: opts.uriId }),
  );
}

/** The verify API's `data` for a parsed payload (no TOTP, no "&offline"), as the web app sends it. */
export function verifyRequestDataForPayload(payload: OfflinePayload, opts: { uriId?: string } = {}): string {
  return buildRequestData({
    nonce: payload.nonce,
    body: buildOfflineBody({
      operationId: payload.operationId,
      operationData: payload.operationData.sourceString,
    }),
    uriId: opts.uriId,
  });
}

/** The verify API's `data`, parsed once (server.md 3.5 step 1): every later use reads these fields. */
export interface VerifyData {
  /** The received text `METHOD&URI_B64&NONCE_B64&BODY_B64` (no TOTP, no "&offline"). */
  readonly text: string;
  readonly method: string;
  readonly uriIdB64: string;
  readonly nonce: string;
  readonly bodyB64: string;
  /** The body part decoded (registry body hash, proximity candidates). */
  readonly body: Uint8Array;
}

/**
 * Server-side shape check of the verify API's `data`: exactly four `&`-separated parts, METHOD `[A-Z]+`,
 * the other three strict Base64 (empty allowed; the nonce 16 bytes when `nonceLength16`). Throws
 * `ProtocolError` `INVALID_DATA` with field `data`.
 */
export function parseVerifyData(data: string, opts: { nonceLength16?: boolean } = {}): VerifyData {
  if (typeof data !== 'string') throw new ProtocolError('INVALID_DATA', 'data', 'must be a string');
  const parts = data.split('&');
  if (parts.length !== 4) {
    throw new ProtocolError(
      'INVALID_DATA',
      'data',
      'must have exactly four "&"-separated parts METHOD&URI&NONCE&BODY',
    );
  }
  const [method, uriIdB64, nonce, bodyB64] = parts as [string, string, string, string];
  if (!/^[A-Z]+$/.test(method))
    throw new ProtocolError('INVALID_DATA', 'data', 'method must be upper-case letters');
  if (tryDecodeBase64Strict(uriIdB64) === null) {
    throw new ProtocolError('INVALID_DATA', 'data', 'URI identifier must be strict Base64');
  }
  const nonceBytes = tryDecodeBase64Strict(nonce);
  if (nonceBytes === null) throw new ProtocolError('INVALID_DATA', 'data', 'nonce must be strict Base64');
  if (opts.nonceLength16 && nonceBytes.length !== NONCE_BYTES) {
    throw new ProtocolError('INVALID_DATA', 'data', `nonce must decode to ${NONCE_BYTES} bytes`);
  }
  const body = tryDecodeBase64Strict(bodyB64);
  if (body === null) throw new ProtocolError('INVALID_DATA', 'data', 'body must be strict Base64');
  return Object.freeze({ text: data, method, uriIdB64, nonce, bodyB64, body });
}

/**
 * Server side: the DATA candidates for `searchOfflineCode`. Without proximity (`totps` null) just
 * `data + "&offline"`; with proximity one candidate per TOTP, in the given order: the body part decoded,
 * `"&" + TOTP` appended, re-encoded, re-joined, then "&offline". The other parts stay as received. `data`
 * is the text (parsed here) or the `VerifyData` the caller already parsed (not parsed again).
 */
export function verifyDataCandidates(
  data: string | VerifyData,
  totps: readonly string[] | null,
): Uint8Array[] {
  const parsed = typeof data === 'string' ? parseVerifyData(data) : checkParsed(data);
  if (totps === null || totps === undefined) return [offlineDataBytes(parsed.text)];
  if (!Array.isArray(totps) || totps.length === 0) {
    throw new ProtocolError('INVALID_DATA', 'totps', 'must be null or a non-empty array of TOTP values');
  }
  const body = parsed.body;
  const prefix = `${parsed.method}&${parsed.uriIdB64}&${parsed.nonce}&`;
  return totps.map((totp) => {
    if (typeof totp !== 'string' || !/^[0-9]{1,10}$/.test(totp)) {
      throw new ProtocolError('INVALID_DATA', 'totps', 'every TOTP must be a string of digits');
    }
    const withTotp = concatBytes(body, utf8Encode(`&${totp}`));
    return offlineDataBytes(prefix + encodeBase64(withTotp));
  });
}

/** A `VerifyData` value must come from `parseVerifyData` (its parts and text agree). */
function checkParsed(data: VerifyData): VerifyData {
  const joined =
    typeof data === 'object' && data !== null
      ? `${data.method}&${data.uriIdB64}&${data.nonce}&${data.bodyB64}`
      : null;
  if (joined === null || joined !== data.text || !(data.body instanceof Uint8Array)) {
    throw new ProtocolError('INVALID_DATA', 'data', 'must be normalized data text or parseVerifyData output');
  }
  return data;
}
