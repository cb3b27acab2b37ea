/**
 * The keystore JWTs of `POST /pa/v3/keystore/create` (activation.md 3): the device's HS256 request with a
 * 16-byte key (standard JWT libraries refuse keys that short, so the HMAC is computed here) and the
 * server's ES256 response with a JOSE `R || S` signature. Parsing is strict and never throws anything but
 * `ProtocolError`; signatures cover the Base64url text exactly as received.
 */

import { bytesToNumberBE, equalBytes } from '@noble/curves/utils.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { decodeBase64Strict, encodeBase64, tryDecodeBase64Strict, utf8Encode } from '../base64.js';
import { derToCompact, encodeDerSignature, parseDerSignature } from '../der.js';
import { signEcdsaDer, verifyEcdsaDer } from '../ecdsa.js';
import { ProtocolError } from '../errors.js';
import { curveInfo } from '../keys/curves.js';
import { normalizePublicKeyFor } from '../keys/ec.js';
import { type CryptoSuite, checkSuite, nodeCryptoOf } from '../suite.js';
import { encodeBase64Url, tryDecodeBase64Url } from './base64url.js';
import { checkActivationId, checkApplicationCredential, checkTemporaryKeyId } from './fields.js';
import {
  gsonStringify,
  type JsonObject,
  readBase64,
  readJsonObject,
  readOptionalString,
  readString,
  readTimestamp,
} from './json.js';
import { kdfInternal, requireBytes } from './primitives.js';

/** The request header exactly as the SDK writes it: `{"alg":"HS256","typ":"JWT"}`. */
export const KEYSTORE_REQUEST_JWT_HEADER = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9';
const RESPONSE_HEADER = encodeBase64Url(utf8Encode('{"typ":"JWT","alg":"ES256"}'));
/** Longest JWT accepted (characters); a keystore JWT is about 600. */
export const MAX_JWT_LENGTH = 4096;

export interface KeystoreRequestClaims {
  /** APP_KEY (Base64 text of 16 bytes). */
  applicationKey: string;
  /** Present exactly in activation scope. */
  activationId?: string;
  /** The device's random challenge (the SDK sends Base64 of 18 bytes). */
  challenge: string;
}

export interface ParsedJwt<C> {
  claims: C;
  /** `header "." payload` as received: the signed bytes. */
  signingInput: Uint8Array;
  signature: Uint8Array;
}

/**
 * The HS256 key: the decoded APP_SECRET (application scope) or KDF_INTERNAL(KEY_TRANSPORT, decoded
 * APP_SECRET) (activation scope, when `transportKey` is given).
 */
export function keystoreRequestHmacKey(
  suite: CryptoSuite,
  input: { applicationSecret: string; transportKey?: Uint8Array },
): Uint8Array {
  checkSuite(suite);
  const secret = decodeBase64Strict(
    checkApplicationCredential(input?.applicationSecret, 'applicationSecret'),
  );
  if (input.transportKey === undefined) return secret;
  return kdfInternal(suite, requireBytes(input.transportKey, 'transportKey', 16), secret);
}

function checkChallenge(value: string, field = 'challenge'): string {
  const bytes = tryDecodeBase64Strict(value);
  if (bytes === null || bytes.length < 16 || bytes.length > 64) {
    throw new ProtocolError('INVALID_DATA', field, 'must be canonical Base64 of 16 to 64 random bytes');
  }
  return value;
}

/** Device side: the request JWT (payload in the Android SDK's Gson form). The challenge defaults to 18 random bytes. */
export function createKeystoreRequestJwt(
  suite: CryptoSuite,
  input: {
    applicationKey: string;
    applicationSecret: string;
    activationId?: string;
    transportKey?: Uint8Array;
    challenge?: string;
  },
): string {
  checkSuite(suite);
  const applicationKey = checkApplicationCredential(input?.applicationKey, 'applicationKey');
  if ((input.activationId === undefined) !== (input.transportKey === undefined)) {
    throw new ProtocolError(
      'INVALID_ARGUMENT',
      'activationId',
      'activation scope needs both activationId and transportKey',
    );
  }
  const challenge = checkChallenge(input.challenge ?? encodeBase64(randomBytes(18)));
  // Member order of the SDK's GetTemporaryKeyRequest: applicationKey, activationId, challenge.
  const claims: Record<string, string> = { applicationKey };
  if (input.activationId !== undefined) claims.activationId = checkActivationId(input.activationId);
  claims.challenge = challenge;
  const signingInput = `${KEYSTORE_REQUEST_JWT_HEADER}.${encodeBase64Url(utf8Encode(gsonStringify(claims)))}`;
  const key = keystoreRequestHmacKey(suite, input);
  return `${signingInput}.${encodeBase64Url(suite.engine.hmacSha256(key, utf8Encode(signingInput)))}`;
}

/** Splits a compact JWT, checks the header with `checkHeader` and returns the parsed payload object. */
function parseCompactJwt(jwt: unknown, checkHeader: (header: JsonObject) => void) {
  if (typeof jwt !== 'string') throw new ProtocolError('INVALID_DATA', 'jwt', 'must be a string');
  if (jwt.length > MAX_JWT_LENGTH)
    throw new ProtocolError('INVALID_LENGTH', 'jwt', `must be at most ${MAX_JWT_LENGTH} characters`);
  const parts = jwt.split('.');
  if (parts.length !== 3 || parts.some((p) => p.length === 0)) {
    throw new ProtocolError('INVALID_DATA', 'jwt', 'must be three non-empty Base64url parts');
  }
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const decoded = [headerPart, payloadPart, signaturePart].map(tryDecodeBase64Url);
  if (decoded.some((d) => d === null)) {
    throw new ProtocolError('INVALID_BASE64', 'jwt', 'parts must be Base64url without padding');
  }
  checkHeader(readJsonObject(decoded[0], 'jwt.header'));
  return {
    payload: readJsonObject(decoded[1], 'jwt.payload'),
    signingInput: utf8Encode(`${headerPart}.${payloadPart}`),
    signature: decoded[2]!,
  };
}

function expectHeader(alg: string, header: JsonObject): void {
  if (header.alg !== alg) throw new ProtocolError('INVALID_DATA', 'jwt.header', `alg must be "${alg}"`);
  if (header.typ !== 'JWT' && !(alg === 'HS256' && header.typ === undefined)) {
    throw new ProtocolError('INVALID_DATA', 'jwt.header', 'typ must be "JWT"');
  }
}

/**
 * Server side: parses the request JWT. `applicationKey` and `challenge` are required, `activationId`
 * (activation scope) optional; the scope follows from it. The signature is checked separately, once the
 * server has found the key (`verifyKeystoreRequestJwt`).
 */
export function parseKeystoreRequestJwt(
  jwt: unknown,
): ParsedJwt<KeystoreRequestClaims> & { scope: 'application' | 'activation' } {
  const { payload, signingInput, signature } = parseCompactJwt(jwt, (h) => expectHeader('HS256', h));
  if (signature.length !== 32)
    throw new ProtocolError('INVALID_LENGTH', 'jwt.signature', 'must be 32 bytes (HS256)');
  const claims: KeystoreRequestClaims = {
    applicationKey: checkApplicationCredential(readString(payload, 'applicationKey', 64), 'applicationKey'),
    challenge: checkChallenge(readString(payload, 'challenge', 128)),
  };
  const activationId = readOptionalString(payload, 'activationId', 64);
  if (activationId !== undefined) claims.activationId = checkActivationId(activationId);
  return {
    claims,
    scope: activationId === undefined ? 'application' : 'activation',
    signingInput,
    signature,
  };
}

/** Checks the HS256 signature with the 16-byte key, in constant time. */
export function verifyKeystoreRequestJwt(
  suite: CryptoSuite,
  parsed: ParsedJwt<KeystoreRequestClaims>,
  key: Uint8Array,
): boolean {
  checkSuite(suite);
  requireBytes(key, 'key', 16);
  const expected = suite.engine.hmacSha256(key, requireBytes(parsed?.signingInput, 'signingInput'));
  return equalBytes(expected, requireBytes(parsed.signature, 'signature'));
}

export interface KeystoreResponseClaims {
  /** `sub`: the temporary key ID the device puts into its ECIES requests. */
  keyId: string;
  applicationKey: string;
  /** Activation scope only. */
  activationId?: string;
  /** The request's challenge, echoed. */
  challenge: string;
  /** `publicKey`: the temporary P-256 public key (33 or 65 bytes as written). */
  publicKey: Uint8Array;
  /** `iat_ms`: server time, milliseconds. */
  issuedAtMs: number;
  /** `exp_ms`: expiry, milliseconds. */
  expiresAtMs: number;
}

function checkResponseClaims(claims: KeystoreResponseClaims): void {
  if (typeof claims !== 'object' || claims === null)
    throw new ProtocolError('INVALID_ARGUMENT', 'claims', 'must be an object');
  checkTemporaryKeyId(claims.keyId, 'keyId');
  checkApplicationCredential(claims.applicationKey, 'applicationKey');
  if (claims.activationId !== undefined) checkActivationId(claims.activationId);
  checkChallenge(claims.challenge);
  normalizePublicKeyFor(curveInfo('P-256'), claims.publicKey, 'publicKey');
  for (const key of ['issuedAtMs', 'expiresAtMs'] as const) {
    if (!Number.isSafeInteger(claims[key]) || claims[key] < 0) {
      throw new ProtocolError('INVALID_ARGUMENT', key, 'must be a non-negative integer (milliseconds)');
    }
  }
}

/**
 * Server side: the ES256 response JWT, claims in TemporaryKeyBehavior's order (`sub`, `exp`, `iat`,
 * `applicationKey`, [`activationId`], `challenge`, `publicKey`, `iat_ms`, `exp_ms`). Sign with the master
 * private key (application scope) or the activation's server private key (activation scope).
 */
export function createKeystoreResponseJwt(
  suite: CryptoSuite,
  input: { signingPrivateKey: Uint8Array; claims: KeystoreResponseClaims },
): string {
  checkSuite(suite);
  const c = input?.claims;
  checkResponseClaims(c);
  const json: Record<string, unknown> = {
    sub: c.keyId,
    exp: Math.floor(c.expiresAtMs / 1000),
    iat: Math.floor(c.issuedAtMs / 1000),
    applicationKey: c.applicationKey,
  };
  if (c.activationId !== undefined) json.activationId = c.activationId;
  Object.assign(json, {
    challenge: c.challenge,
    publicKey: encodeBase64(c.publicKey),
    iat_ms: c.issuedAtMs,
    exp_ms: c.expiresAtMs,
  });
  const signingInput = `${RESPONSE_HEADER}.${encodeBase64Url(utf8Encode(JSON.stringify(json)))}`;
  const der = signEcdsaDer(suite, 'P-256', input.signingPrivateKey, utf8Encode(signingInput));
  const info = curveInfo('P-256');
  const values = parseDerSignature(der, info.size, info.order)!;
  return `${signingInput}.${encodeBase64Url(derToCompact(values, info.size))}`;
}

/**
 * Device side: parses the response JWT. The header must say exactly `typ` "JWT" and `alg` "ES256"; the
 * signature must be the 64-byte JOSE form (a DER signature is refused); `sub`, `publicKey`, `iat_ms`,
 * `exp_ms`, `challenge` and `applicationKey` are required. The seconds claims `exp`/`iat` are ignored.
 */
export function parseKeystoreResponseJwt(jwt: unknown): ParsedJwt<KeystoreResponseClaims> {
  const { payload, signingInput, signature } = parseCompactJwt(jwt, (h) => expectHeader('ES256', h));
  if (signature.length !== 64) {
    throw new ProtocolError(
      'INVALID_LENGTH',
      'jwt.signature',
      'must be the 64-byte JOSE R || S form (not DER)',
    );
  }
  const claims: KeystoreResponseClaims = {
    keyId: checkTemporaryKeyId(readString(payload, 'sub', 64), 'sub'),
    applicationKey: checkApplicationCredential(readString(payload, 'applicationKey', 64), 'applicationKey'),
    challenge: checkChallenge(readString(payload, 'challenge', 128)),
    publicKey: readBase64(payload, 'publicKey', { lengths: [33, 65] }),
    issuedAtMs: readTimestamp(payload, 'iat_ms'),
    expiresAtMs: readTimestamp(payload, 'exp_ms'),
  };
  const activationId = readOptionalString(payload, 'activationId', 64);
  if (activationId !== undefined) claims.activationId = checkActivationId(activationId);
  return { claims, signingInput, signature };
}

/** True when the 64-byte JOSE signature verifies under the P-256 public key (r and s in 1..n-1). */
export function verifyJoseEs256(
  suite: CryptoSuite,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const info = curveInfo('P-256');
  if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
  const r = bytesToNumberBE(signature.subarray(0, 32));
  const s = bytesToNumberBE(signature.subarray(32));
  if (r < 1n || r >= info.order || s < 1n || s >= info.order) return false;
  return verifyEcdsaDer(suite, 'P-256', publicKey, message, encodeDerSignature({ r, s }, info.size));
}

/**
 * Device side: parses, verifies the signature with the scope's key (master public key or the activation's
 * server public key) and checks that `challenge`, `applicationKey` and `activationId` (present exactly in
 * activation scope) equal the request. Returns the claims; any failure is a `ProtocolError`.
 */
export function verifyKeystoreResponseJwt(
  suite: CryptoSuite,
  jwt: string,
  expected: { signerPublicKey: Uint8Array; challenge: string; applicationKey: string; activationId?: string },
): KeystoreResponseClaims {
  checkSuite(suite);
  const parsed = parseKeystoreResponseJwt(jwt);
  if (!verifyJoseEs256(suite, expected.signerPublicKey, parsed.signingInput, parsed.signature)) {
    throw new ProtocolError('INVALID_DATA', 'jwt.signature', 'does not verify');
  }
  const { claims } = parsed;
  if (claims.challenge !== expected.challenge)
    throw new ProtocolError('INVALID_DATA', 'challenge', 'does not match the request');
  if (claims.applicationKey !== expected.applicationKey) {
    throw new ProtocolError('INVALID_DATA', 'applicationKey', 'does not match the request');
  }
  if (claims.activationId !== expected.activationId) {
    throw new ProtocolError('INVALID_DATA', 'activationId', 'does not match the request');
  }
  normalizePublicKeyFor(curveInfo('P-256'), claims.publicKey, 'publicKey', nodeCryptoOf(suite));
  return claims;
}
