/**
 * ECIES as PowerAuth protocol 3.3 speaks it (activation.md 4): P-256 ECDH with a temporary server key,
 * X9.63-KDF-SHA256 envelope, AES-128-CBC-PKCS7, HMAC-SHA256 over the ciphertext and sharedInfo2 (nonce,
 * timestamp, ephemeral key, associated data). Request and response, application and activation scope.
 * Every function takes the `CryptoSuite` it hashes, MACs, multiplies and encrypts with.
 */

import { equalBytes } from '@noble/curves/utils.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { encodeBase64, utf8Encode } from '../base64.js';
import { ProtocolError } from '../errors.js';
import { curveInfo } from '../keys/curves.js';
import { compressPublicKey, ecdh, normalizePublicKeyFor, publicKeyFromPrivate } from '../keys/ec.js';
import { type CryptoSuite, checkSuite, nodeCryptoOf } from '../suite.js';
import { aes128CbcDecrypt, aes128CbcEncrypt } from './aes-cbc.js';
import { checkActivationId, checkApplicationCredential, checkTemporaryKeyId } from './fields.js';
import { readBase64, readJsonObject, readString, readTimestamp } from './json.js';
import {
  be64,
  joinWithLengths,
  kdfInternal,
  MAX_HASHED_BYTES,
  requireBytes,
  x963KdfSha256,
} from './primitives.js';

/** The protocol version label in the KDF info and the associated data. */
export const ECIES_VERSION = '3.3';

export type EciesScope = 'application' | 'activation';

/** sharedInfo1 endpoint constants (activation.md 4.1). */
export const ECIES_SHARED_INFO1 = {
  applicationGeneric: '/pa/generic/application',
  activationLayer2: '/pa/activation',
  activationGeneric: '/pa/generic/activation',
  tokenCreate: '/pa/token/create',
  vaultUnlock: '/pa/vault/unlock',
  upgrade: '/pa/upgrade',
  recoveryConfirm: '/pa/recovery/confirm',
} as const;

export type EciesSharedInfo1 = (typeof ECIES_SHARED_INFO1)[keyof typeof ECIES_SHARED_INFO1];

const APPLICATION_SCOPE: readonly string[] = [
  ECIES_SHARED_INFO1.applicationGeneric,
  ECIES_SHARED_INFO1.activationLayer2,
];
const ACTIVATION_SCOPE: readonly string[] = [
  ECIES_SHARED_INFO1.activationGeneric,
  ECIES_SHARED_INFO1.tokenCreate,
  ECIES_SHARED_INFO1.vaultUnlock,
  ECIES_SHARED_INFO1.upgrade,
  ECIES_SHARED_INFO1.recoveryConfirm,
];

/** Largest ECIES ciphertext (bytes): the MAC input must stay within what the engine hashes. */
export const MAX_ECIES_CIPHERTEXT = MAX_HASHED_BYTES - 1024;
const NONCE_BYTES = 16;

/** The scope a sharedInfo1 constant belongs to; unknown values are refused. */
export function eciesScopeOf(sharedInfo1: unknown): EciesScope {
  if (typeof sharedInfo1 === 'string' && APPLICATION_SCOPE.includes(sharedInfo1)) return 'application';
  if (typeof sharedInfo1 === 'string' && ACTIVATION_SCOPE.includes(sharedInfo1)) return 'activation';
  throw new ProtocolError(
    'INVALID_ARGUMENT',
    'sharedInfo1',
    'must be one of the PowerAuth 3.3 endpoint constants',
  );
}

/** What both sides know before a call: scope, endpoint, application credentials, activation keys. */
export interface EciesParameters {
  scope: EciesScope;
  sharedInfo1: EciesSharedInfo1;
  /** APP_KEY, the Base64 text (from the header on the server). */
  applicationKey: string;
  /** APP_SECRET, the Base64 text. */
  applicationSecret: string;
  /** Activation scope only: the activation ID (from the header on the server). */
  activationId?: string;
  /** Activation scope only: KEY_TRANSPORT of the activation. */
  transportKey?: Uint8Array;
}

/** The request body (activation.md 4.2), bytes decoded. */
export interface EciesRequest {
  temporaryKeyId: string;
  /** The ephemeral public key exactly as sent (33 bytes from the SDK, 65 accepted). */
  ephemeralPublicKey: Uint8Array;
  encryptedData: Uint8Array;
  mac: Uint8Array;
  nonce: Uint8Array;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

/** The response body (activation.md 4.4), bytes decoded. */
export interface EciesResponse {
  encryptedData: Uint8Array;
  mac: Uint8Array;
  nonce: Uint8Array;
  timestamp: number;
}

/** The keys one request/response exchange shares. Secret: keep it only for the exchange. */
export interface EciesEnvelope {
  readonly encKey: Uint8Array;
  readonly macKey: Uint8Array;
  readonly ivKey: Uint8Array;
  readonly sharedInfo2Base: Uint8Array;
  readonly associatedData: Uint8Array;
  /** The request's nonce: a response must use another one. */
  readonly requestNonce: Uint8Array;
}

function checkParameters(params: EciesParameters): EciesParameters {
  if (typeof params !== 'object' || params === null) {
    throw new ProtocolError('INVALID_ARGUMENT', 'parameters', 'must be an object');
  }
  const scope = eciesScopeOf(params.sharedInfo1);
  if (params.scope !== scope) {
    throw new ProtocolError(
      'INVALID_ARGUMENT',
      'scope',
      `sharedInfo1 ${params.sharedInfo1} is ${scope} scope`,
    );
  }
  checkApplicationCredential(params.applicationKey, 'applicationKey');
  checkApplicationCredential(params.applicationSecret, 'applicationSecret');
  if (scope === 'activation') {
    checkActivationId(params.activationId);
    requireBytes(params.transportKey, 'transportKey', 16);
  } else if (params.activationId !== undefined || params.transportKey !== undefined) {
    throw new ProtocolError('INVALID_ARGUMENT', 'activationId', 'must be absent in application scope');
  }
  return params;
}

/** SH2 base: SHA-256(APP_SECRET text) or HMAC-SHA256(KEY_TRANSPORT, APP_SECRET text). */
export function eciesSharedInfo2Base(suite: CryptoSuite, params: EciesParameters): Uint8Array {
  const secret = utf8Encode(params.applicationSecret, 'applicationSecret');
  return params.scope === 'activation'
    ? suite.engine.hmacSha256(params.transportKey!, secret)
    : suite.engine.sha256(secret);
}

/** AD = Join("3.3", APP_KEY[, activationId], temporaryKeyId), as UTF-8 texts. */
export function eciesAssociatedData(
  params: EciesParameters,
  temporaryKeyId: string,
  version = ECIES_VERSION,
) {
  const texts = [version, params.applicationKey];
  if (params.scope === 'activation') texts.push(params.activationId!);
  texts.push(temporaryKeyId);
  return joinWithLengths(...texts.map((t) => utf8Encode(t)));
}

/**
 * The envelope of one exchange: X9.63-KDF-SHA256(Z, version || sharedInfo1 || E, 48) split into the
 * encryption, MAC and IV keys. `version` is a parameter only so that tests can show another label fails.
 */
export function deriveEciesEnvelope(
  suite: CryptoSuite,
  input: {
    params: EciesParameters;
    sharedSecret: Uint8Array;
    ephemeralPublicKey: Uint8Array;
    temporaryKeyId: string;
    requestNonce: Uint8Array;
    version?: string;
  },
): EciesEnvelope {
  const version = input.version ?? ECIES_VERSION;
  const info = new Uint8Array([
    ...utf8Encode(version),
    ...utf8Encode(input.params.sharedInfo1),
    ...input.ephemeralPublicKey,
  ]);
  const keys = x963KdfSha256(suite, input.sharedSecret, info, 48);
  return {
    encKey: keys.slice(0, 16),
    macKey: keys.slice(16, 32),
    ivKey: keys.slice(32, 48),
    sharedInfo2Base: eciesSharedInfo2Base(suite, input.params),
    associatedData: eciesAssociatedData(input.params, input.temporaryKeyId, version),
    requestNonce: input.requestNonce,
  };
}

/** mac = HMAC-SHA256(K_MAC, encryptedData || Join(SH2, nonce, BE64(timestamp), E or empty, AD)). */
function computeMac(
  suite: CryptoSuite,
  envelope: EciesEnvelope,
  message: {
    encryptedData: Uint8Array;
    nonce: Uint8Array;
    timestamp: number;
    ephemeralPublicKey: Uint8Array;
  },
): Uint8Array {
  const sharedInfo2 = joinWithLengths(
    envelope.sharedInfo2Base,
    message.nonce,
    be64(message.timestamp),
    message.ephemeralPublicKey,
    envelope.associatedData,
  );
  const data = new Uint8Array(message.encryptedData.length + sharedInfo2.length);
  data.set(message.encryptedData, 0);
  data.set(sharedInfo2, message.encryptedData.length);
  return suite.engine.hmacSha256(envelope.macKey, data);
}

function checkPlaintext(plaintext: unknown): Uint8Array {
  const bytes = requireBytes(plaintext, 'plaintext');
  // PKCS#7 adds 1..16 bytes: the ciphertext must still fit MAX_ECIES_CIPHERTEXT.
  if (bytes.length > MAX_ECIES_CIPHERTEXT - 16) {
    throw new ProtocolError(
      'INVALID_LENGTH',
      'plaintext',
      `must be at most ${MAX_ECIES_CIPHERTEXT - 16} bytes`,
    );
  }
  return bytes;
}

function checkTimestamp(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ProtocolError('INVALID_ARGUMENT', 'timestamp', 'must be a non-negative integer (milliseconds)');
  }
  return value;
}

function encryptWith(suite: CryptoSuite, envelope: EciesEnvelope, plaintext: Uint8Array, nonce: Uint8Array) {
  const iv = kdfInternal(suite, envelope.ivKey, nonce);
  return aes128CbcEncrypt(suite, envelope.encKey, iv, plaintext, { padding: true });
}

function decryptWith(suite: CryptoSuite, envelope: EciesEnvelope, message: EciesResponse): Uint8Array {
  const iv = kdfInternal(suite, envelope.ivKey, message.nonce);
  return aes128CbcDecrypt(suite, envelope.encKey, iv, message.encryptedData, {
    padding: true,
    field: 'encryptedData',
  });
}

export interface EncryptRequestInput {
  /** The scope's temporary public key from keystore/create (compressed or uncompressed). */
  recipientPublicKey: Uint8Array;
  temporaryKeyId: string;
  plaintext: Uint8Array;
  /** Injected randomness (tests, replays); fresh when omitted. */
  ephemeralPrivateKey?: Uint8Array;
  nonce?: Uint8Array;
  /** Milliseconds; default `Date.now()` (the SDK uses its server-synchronized clock). */
  timestamp?: number;
}

/** Client side: encrypts a request; keep the envelope to decrypt the response. */
export function encryptEciesRequest(
  suite: CryptoSuite,
  params: EciesParameters,
  input: EncryptRequestInput,
): { request: EciesRequest; envelope: EciesEnvelope } {
  checkSuite(suite);
  checkParameters(params);
  const temporaryKeyId = checkTemporaryKeyId(input?.temporaryKeyId);
  const plaintext = checkPlaintext(input.plaintext);
  const recipient = normalizePublicKeyFor(
    curveInfo('P-256'),
    input.recipientPublicKey,
    'recipientPublicKey',
    nodeCryptoOf(suite),
  );
  const nonce =
    input.nonce === undefined ? randomBytes(NONCE_BYTES) : requireBytes(input.nonce, 'nonce', NONCE_BYTES);
  const timestamp = checkTimestamp(input.timestamp ?? Date.now());
  const ephemeralPrivate = input.ephemeralPrivateKey ?? randomScalar();
  const ephemeralPublicKey = compressPublicKey(
    'P-256',
    publicKeyFromPrivate(suite, 'P-256', ephemeralPrivate),
  );
  const sharedSecret = ecdh(suite, 'P-256', ephemeralPrivate, recipient);
  const envelope = deriveEciesEnvelope(suite, {
    params,
    sharedSecret,
    ephemeralPublicKey,
    temporaryKeyId,
    requestNonce: nonce,
  });
  const encryptedData = encryptWith(suite, envelope, plaintext, nonce);
  const mac = computeMac(suite, envelope, { encryptedData, nonce, timestamp, ephemeralPublicKey });
  return { request: { temporaryKeyId, ephemeralPublicKey, encryptedData, mac, nonce, timestamp }, envelope };
}

function randomScalar(): Uint8Array {
  return curveInfo('P-256').noble.utils.randomSecretKey();
}

/**
 * Server side: checks the MAC in constant time, then decrypts. `params` carry what the server derives from
 * the header and its records (application credentials, activation and KEY_TRANSPORT); the temporary key is
 * the one the request's `temporaryKeyId` names. A wrong MAC is `INVALID_DATA` on `mac`.
 */
export function decryptEciesRequest(
  suite: CryptoSuite,
  params: EciesParameters,
  input: { recipientPrivateKey: Uint8Array; request: EciesRequest },
): { plaintext: Uint8Array; envelope: EciesEnvelope } {
  checkSuite(suite);
  checkParameters(params);
  const request = checkRequest(input?.request);
  const ephemeral = normalizePublicKeyFor(
    curveInfo('P-256'),
    request.ephemeralPublicKey,
    'ephemeralPublicKey',
    nodeCryptoOf(suite),
  );
  const sharedSecret = ecdh(suite, 'P-256', input.recipientPrivateKey, ephemeral);
  const envelope = deriveEciesEnvelope(suite, {
    params,
    sharedSecret,
    ephemeralPublicKey: request.ephemeralPublicKey,
    temporaryKeyId: request.temporaryKeyId,
    requestNonce: request.nonce,
  });
  if (!equalBytes(computeMac(suite, envelope, request), request.mac)) {
    throw new ProtocolError('INVALID_DATA', 'mac', 'does not verify');
  }
  return { plaintext: decryptWith(suite, envelope, request), envelope };
}

function checkEnvelope(envelope: EciesEnvelope): EciesEnvelope {
  if (typeof envelope !== 'object' || envelope === null) {
    throw new ProtocolError('INVALID_ARGUMENT', 'envelope', 'must be the envelope of the request');
  }
  for (const key of ['encKey', 'macKey', 'ivKey', 'requestNonce'] as const)
    requireBytes(envelope[key], `envelope.${key}`, 16);
  requireBytes(envelope.sharedInfo2Base, 'envelope.sharedInfo2Base', 32);
  requireBytes(envelope.associatedData, 'envelope.associatedData');
  return envelope;
}

/** Server side: encrypts the response with a fresh nonce (never the request's) and the server time. */
export function encryptEciesResponse(
  suite: CryptoSuite,
  envelope: EciesEnvelope,
  input: { plaintext: Uint8Array; nonce?: Uint8Array; timestamp?: number },
): EciesResponse {
  checkSuite(suite);
  checkEnvelope(envelope);
  const plaintext = checkPlaintext(input?.plaintext);
  const nonce =
    input.nonce === undefined
      ? freshNonce(envelope.requestNonce)
      : requireBytes(input.nonce, 'nonce', NONCE_BYTES);
  if (equalBytes(nonce, envelope.requestNonce)) {
    throw new ProtocolError('INVALID_ARGUMENT', 'nonce', 'must differ from the request nonce');
  }
  const timestamp = checkTimestamp(input.timestamp ?? Date.now());
  const encryptedData = encryptWith(suite, envelope, plaintext, nonce);
  const mac = computeMac(suite, envelope, {
    encryptedData,
    nonce,
    timestamp,
    ephemeralPublicKey: new Uint8Array(0),
  });
  return { encryptedData, mac, nonce, timestamp };
}

function freshNonce(requestNonce: Uint8Array): Uint8Array {
  // Equal nonces have probability 2^-128; the loop only guards a broken random source, as CRYPTO does.
  for (let attempt = 0; attempt < 8; attempt++) {
    const nonce = randomBytes(NONCE_BYTES);
    if (!equalBytes(nonce, requestNonce)) return nonce;
  }
  throw new ProtocolError('UNSUPPORTED', 'nonce', 'the random source repeats the request nonce');
}

/** Client side: checks the response MAC (empty ephemeral-key slot) in constant time, then decrypts. */
export function decryptEciesResponse(
  suite: CryptoSuite,
  envelope: EciesEnvelope,
  response: EciesResponse,
): Uint8Array {
  checkSuite(suite);
  checkEnvelope(envelope);
  const checked = checkResponse(response);
  const mac = computeMac(suite, envelope, { ...checked, ephemeralPublicKey: new Uint8Array(0) });
  if (!equalBytes(mac, checked.mac)) throw new ProtocolError('INVALID_DATA', 'mac', 'does not verify');
  return decryptWith(suite, envelope, checked);
}

/** Re-validates a request given as an object (it may not come from `parseEciesRequest`). */
function checkRequest(request: EciesRequest): EciesRequest {
  if (typeof request !== 'object' || request === null) {
    throw new ProtocolError('INVALID_ARGUMENT', 'request', 'must be an object');
  }
  checkTemporaryKeyId(request.temporaryKeyId);
  const e = requireBytes(request.ephemeralPublicKey, 'ephemeralPublicKey');
  if (e.length !== 33 && e.length !== 65) {
    throw new ProtocolError('INVALID_LENGTH', 'ephemeralPublicKey', 'must be 33 or 65 bytes');
  }
  checkResponse(request);
  return request;
}

function checkResponse<T extends EciesResponse>(message: T): T {
  if (typeof message !== 'object' || message === null) {
    throw new ProtocolError('INVALID_ARGUMENT', 'response', 'must be an object');
  }
  const data = requireBytes(message.encryptedData, 'encryptedData');
  if (data.length === 0 || data.length % 16 !== 0 || data.length > MAX_ECIES_CIPHERTEXT) {
    throw new ProtocolError(
      'INVALID_LENGTH',
      'encryptedData',
      'must be a non-empty whole number of 16-byte blocks',
    );
  }
  requireBytes(message.mac, 'mac', 32);
  requireBytes(message.nonce, 'nonce', NONCE_BYTES);
  if (
    typeof message.timestamp !== 'number' ||
    !Number.isSafeInteger(message.timestamp) ||
    message.timestamp < 0
  ) {
    throw new ProtocolError('INVALID_DATA', 'timestamp', 'must be a non-negative integer (milliseconds)');
  }
  return message;
}

function readResponseFields(obj: Record<string, unknown>): EciesResponse {
  const encryptedData = readBase64(obj, 'encryptedData', { maxBytes: MAX_ECIES_CIPHERTEXT });
  if (encryptedData.length === 0 || encryptedData.length % 16 !== 0) {
    throw new ProtocolError(
      'INVALID_LENGTH',
      'encryptedData',
      'must be a non-empty whole number of 16-byte blocks',
    );
  }
  return {
    encryptedData,
    mac: readBase64(obj, 'mac', { lengths: [32] }),
    nonce: readBase64(obj, 'nonce', { lengths: [NONCE_BYTES] }),
    timestamp: readTimestamp(obj, 'timestamp'),
  };
}

/**
 * Parses a request body (its JSON text, UTF-8 bytes or parsed value). All six members are required for
 * 3.3; unknown members are ignored. Throws only `ProtocolError`, naming the member.
 */
export function parseEciesRequest(input: unknown): EciesRequest {
  const obj = readJsonObject(input, 'request');
  const temporaryKeyId = checkTemporaryKeyId(readString(obj, 'temporaryKeyId', 64));
  const ephemeralPublicKey = readBase64(obj, 'ephemeralPublicKey', { lengths: [33, 65] });
  return { temporaryKeyId, ephemeralPublicKey, ...readResponseFields(obj) };
}

/** Parses a response body; `nonce` and `timestamp` are mandatory (activation.md 4.4). */
export function parseEciesResponse(input: unknown): EciesResponse {
  return readResponseFields(readJsonObject(input, 'response'));
}

/** The request as a JSON object, members in the Android SDK's order (for `gsonStringify` or `JSON.stringify`). */
export function eciesRequestToJson(request: EciesRequest) {
  return {
    temporaryKeyId: request.temporaryKeyId,
    ephemeralPublicKey: encodeBase64(request.ephemeralPublicKey),
    encryptedData: encodeBase64(request.encryptedData),
    mac: encodeBase64(request.mac),
    nonce: encodeBase64(request.nonce),
    timestamp: request.timestamp,
  };
}

/** The response as a JSON object, members in the restful-integration's order. */
export function eciesResponseToJson(response: EciesResponse) {
  return {
    encryptedData: encodeBase64(response.encryptedData),
    mac: encodeBase64(response.mac),
    nonce: encodeBase64(response.nonce),
    timestamp: response.timestamp,
  };
}
