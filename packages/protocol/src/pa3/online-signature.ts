/**
 * The V3.1+ online PowerAuth signature (activation.md 7): the `X-PowerAuth-Authorization` header, the
 * normalized request data with the URI id, the body and APP_SECRET, and the Base64 signature computed on the
 * suite's engine (`computeAuthCode`, format `base64`) with a lookahead search for the verifier.
 */

import { equalBytes } from '@noble/curves/utils.js';
import type { FactorType } from '@offcode/crypto-wasm';
import { encodeBase64, tryDecodeBase64Strict, utf8Encode } from '../base64.js';
import { ProtocolError } from '../errors.js';
import { type CryptoSuite, checkSuite } from '../suite.js';
import { checkActivationId, checkApplicationCredential } from './fields.js';
import { parsePowerAuthHeader, requiredPair } from './header.js';
import { MAX_HASHED_BYTES, requireBytes } from './primitives.js';

export const AUTHORIZATION_HEADER = 'X-PowerAuth-Authorization';

export type SignatureType = FactorType;

/** The factor types and their keys, always in possession, knowledge, biometry order. */
export const SIGNATURE_TYPE_FACTORS: Readonly<
  Record<SignatureType, readonly ('possession' | 'knowledge' | 'biometry')[]>
> = {
  possession: ['possession'],
  knowledge: ['knowledge'],
  biometry: ['biometry'],
  possession_knowledge: ['possession', 'knowledge'],
  possession_biometry: ['possession', 'biometry'],
  possession_knowledge_biometry: ['possession', 'knowledge', 'biometry'],
};

/** Versions whose online signature is the Base64 form; 3.0 (decimal, 8 digits per factor) is refused. */
export const ONLINE_SIGNATURE_VERSIONS = ['3.1', '3.2', '3.3'] as const;
export type OnlineSignatureVersion = (typeof ONLINE_SIGNATURE_VERSIONS)[number];

export interface AuthorizationHeader {
  version: OnlineSignatureVersion;
  activationId: string;
  /** APP_KEY, Base64 text of 16 bytes. */
  applicationKey: string;
  /** Base64 text of 16 random bytes. */
  nonce: string;
  /** Lower case (the header compares names case-insensitively). */
  signatureType: SignatureType;
  /** Base64 of 16 bytes per factor. */
  signature: string;
}

function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

export function checkSignatureType(value: unknown, field = 'signatureType'): SignatureType {
  const name = typeof value === 'string' ? asciiLowerCase(value) : '';
  if (!Object.hasOwn(SIGNATURE_TYPE_FACTORS, name)) {
    throw new ProtocolError(
      'INVALID_DATA',
      field,
      `must be one of ${Object.keys(SIGNATURE_TYPE_FACTORS).join(', ')}`,
    );
  }
  return name as SignatureType;
}

function checkNonce(value: unknown, field: string): string {
  const bytes = tryDecodeBase64Strict(value);
  if (bytes === null || bytes.length !== 16) {
    throw new ProtocolError('INVALID_DATA', field, 'must be the canonical Base64 text of 16 bytes');
  }
  return value as string;
}

function checkSignatureText(value: string, type: SignatureType, field: string): string {
  const bytes = tryDecodeBase64Strict(value);
  if (bytes === null || bytes.length !== 16 * SIGNATURE_TYPE_FACTORS[type].length) {
    throw new ProtocolError(
      'INVALID_DATA',
      field,
      `must be Base64 of ${16 * SIGNATURE_TYPE_FACTORS[type].length} bytes for ${type}`,
    );
  }
  return value;
}

/**
 * Parses `X-PowerAuth-Authorization` (REST's validator rules): UUID activation ID, 16-byte application key
 * and nonce, one of the six signature types (any letter case), a Base64 signature of 16 bytes per factor,
 * version 3.1-3.3 (`UNSUPPORTED` for others). Unknown keys are ignored; a repeated key is refused.
 */
export function parseAuthorizationHeader(value: unknown): AuthorizationHeader {
  const pairs = parsePowerAuthHeader(value, AUTHORIZATION_HEADER);
  const version = requiredPair(pairs, 'pa_version');
  if (!(ONLINE_SIGNATURE_VERSIONS as readonly string[]).includes(version)) {
    throw new ProtocolError('UNSUPPORTED', 'pa_version', 'must be 3.1, 3.2 or 3.3');
  }
  const signatureType = checkSignatureType(requiredPair(pairs, 'pa_signature_type'), 'pa_signature_type');
  return {
    version: version as OnlineSignatureVersion,
    activationId: checkActivationId(requiredPair(pairs, 'pa_activation_id'), 'pa_activation_id'),
    applicationKey: checkApplicationCredential(
      requiredPair(pairs, 'pa_application_key'),
      'pa_application_key',
    ),
    nonce: checkNonce(requiredPair(pairs, 'pa_nonce'), 'pa_nonce'),
    signatureType,
    signature: checkSignatureText(requiredPair(pairs, 'pa_signature'), signatureType, 'pa_signature'),
  };
}

/** The header value exactly as the SDK's buildAuthHeaderValue writes it. */
export function buildAuthorizationHeader(
  header: Omit<AuthorizationHeader, 'version'> & { version?: OnlineSignatureVersion },
): string {
  if (typeof header !== 'object' || header === null)
    throw new ProtocolError('INVALID_ARGUMENT', 'header', 'must be an object');
  const version = header.version ?? '3.3';
  if (!ONLINE_SIGNATURE_VERSIONS.includes(version))
    throw new ProtocolError('UNSUPPORTED', 'version', 'must be 3.1, 3.2 or 3.3');
  const type = checkSignatureType(header.signatureType);
  return (
    `PowerAuth pa_version="${version}", pa_activation_id="${checkActivationId(header.activationId)}", ` +
    `pa_application_key="${checkApplicationCredential(header.applicationKey, 'applicationKey')}", ` +
    `pa_nonce="${checkNonce(header.nonce, 'nonce')}", pa_signature_type="${type}", ` +
    `pa_signature="${checkSignatureText(header.signature, type, 'signature')}"`
  );
}

/**
 * Normalized data: `METHOD & B64(UTF-8 uriId) & nonce & B64(body bytes as sent) & APP_SECRET` (the Base64
 * text). The body is the raw bytes of the HTTP body (a string is taken as its UTF-8 bytes).
 */
export function onlineSignatureData(input: {
  method: string;
  uriId: string;
  nonce: string;
  body: Uint8Array | string;
  applicationSecret: string;
}): Uint8Array {
  if (typeof input !== 'object' || input === null)
    throw new ProtocolError('INVALID_ARGUMENT', 'input', 'must be an object');
  if (typeof input.method !== 'string' || !/^[A-Z]{1,16}$/.test(input.method)) {
    throw new ProtocolError('INVALID_ARGUMENT', 'method', 'must be an upper-case HTTP method');
  }
  if (typeof input.uriId !== 'string' || input.uriId.length === 0) {
    throw new ProtocolError('INVALID_ARGUMENT', 'uriId', 'must be a non-empty string');
  }
  const body =
    typeof input.body === 'string' ? utf8Encode(input.body, 'body') : requireBytes(input.body, 'body');
  if (body.length > MAX_HASHED_BYTES / 2)
    throw new ProtocolError('INVALID_LENGTH', 'body', 'is too long to sign');
  const nonce = checkNonce(input.nonce, 'nonce');
  const secret = checkApplicationCredential(input.applicationSecret, 'applicationSecret');
  return utf8Encode(
    `${input.method}&${encodeBase64(utf8Encode(input.uriId, 'uriId'))}&${nonce}&${encodeBase64(body)}&${secret}`,
  );
}

export interface FactorKeys {
  possession?: Uint8Array;
  knowledge?: Uint8Array;
  biometry?: Uint8Array;
}

/** The 16-byte keys a signature type needs, in order; a missing or wrong-length key is `INVALID_KEY`. */
export function signatureKeys(type: SignatureType, keys: FactorKeys): Uint8Array[] {
  return SIGNATURE_TYPE_FACTORS[checkSignatureType(type)].map((factor) => {
    const key = keys?.[factor];
    if (!(key instanceof Uint8Array) || key.length !== 16) {
      throw new ProtocolError(
        'INVALID_KEY',
        factor,
        `a 16-byte ${factor} key is required for this signature type`,
      );
    }
    return key;
  });
}

export interface OnlineSignatureInput {
  signatureType: SignatureType;
  keys: FactorKeys;
  /** CTR_DATA (16 bytes) the signature is computed with. */
  ctrData: Uint8Array;
  /** From `onlineSignatureData`. */
  data: Uint8Array;
}

function checkData(data: unknown): Uint8Array {
  const bytes = requireBytes(data, 'data');
  if (bytes.length > MAX_HASHED_BYTES) throw new ProtocolError('INVALID_LENGTH', 'data', 'is too long');
  return bytes;
}

/** Device side: the Base64 signature (16-byte tail of each factor component). Move CTR_DATA to next() afterwards. */
export function computeOnlineSignature(suite: CryptoSuite, input: OnlineSignatureInput): string {
  checkSuite(suite);
  return suite.engine.computeAuthCode({
    protocol: 3,
    keys: signatureKeys(input?.signatureType, input.keys),
    counter: requireBytes(input.ctrData, 'ctrData', 16),
    data: checkData(input.data),
    format: 'base64',
  });
}

export type OnlineSignatureMatch =
  | {
      match: true /** k: the signature used next^k(stored CTR_DATA). */;
      position: number /** next^(k+1): store this. */;
      nextCtrData: Uint8Array;
    }
  | { match: false };

/**
 * Server side: tries the stored CTR_DATA and the next `lookAhead - 1` values (PowerAuth: 20 in all),
 * comparing in constant time. On a match, store `nextCtrData` and advance the numeric counter by position + 1.
 */
export function verifyOnlineSignature(
  suite: CryptoSuite,
  input: OnlineSignatureInput & { signature: string; lookAhead: number },
): OnlineSignatureMatch {
  checkSuite(suite);
  const keys = signatureKeys(input?.signatureType, input.keys);
  const data = checkData(input.data);
  if (!Number.isInteger(input.lookAhead) || input.lookAhead < 1 || input.lookAhead > 64) {
    throw new ProtocolError('INVALID_ARGUMENT', 'lookAhead', 'must be an integer from 1 to 64');
  }
  const expected = utf8Encode(typeof input.signature === 'string' ? input.signature : '', 'signature');
  let counter = requireBytes(input.ctrData, 'ctrData', 16);
  for (let position = 0; position < input.lookAhead; position++) {
    const candidate = suite.engine.computeAuthCode({ protocol: 3, keys, counter, data, format: 'base64' });
    const next = suite.engine.nextCounter(3, counter);
    if (equalBytes(utf8Encode(candidate), expected)) return { match: true, position, nextCtrData: next };
    counter = next;
  }
  return { match: false };
}
