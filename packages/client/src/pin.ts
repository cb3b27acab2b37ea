/**
 * PIN protection of the knowledge key (crypto.md §10, client.md §2.3). There is deliberately no MAC,
 * checksum or verifier: a wrong PIN unwraps to a wrong but plausible key, so a stolen state file cannot be
 * brute-forced offline and only the server (with its failed-attempt counter) can tell.
 */
import { ctr, ecb } from '@noble/ciphers/aes.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { pbkdf2 } from '@noble/hashes/pbkdf2.js';
import type { OffcodeCrypto } from '@offcode/crypto-wasm';
import { isWellFormedString, PROTOCOL_PARAMETERS, type ProtocolVersion, utf8Encode } from '@offcode/protocol';
import { zeroize } from './bytes.js';
import { OffcodeClientError } from './errors.js';

export type KnowledgeKeyScheme = 'v3-pbkdf2-aes128' | 'v4-pa4pbkdf-aes256ctr';

export interface WrappedKnowledgeKey {
  scheme: KnowledgeKeyScheme;
  /** 16 B (V3) / 32 B (V4), fresh per wrap. */
  salt: Uint8Array;
  /** 16 B (V3) / 32 B (V4). */
  wrapped: Uint8Array;
}

export const PIN_MIN_LENGTH = 4;
export const PIN_MAX_LENGTH = 64;
export const V3_PBKDF2_ITERATIONS = 10_000;

const SCHEMES: Readonly<Record<ProtocolVersion, KnowledgeKeyScheme>> = {
  3: 'v3-pbkdf2-aes128',
  4: 'v4-pa4pbkdf-aes256ctr',
};

export const schemeFor = (protocol: ProtocolVersion): KnowledgeKeyScheme => SCHEMES[protocol];
/** Salt and wrapped key are as long as a factor key of the version (16 B V3, 32 B V4). */
export const saltLength = (protocol: ProtocolVersion): number => PROTOCOL_PARAMETERS[protocol].factorKeyBytes;

/**
 * PIN = UTF-8 bytes as entered (no normalisation), 4..64 characters (Unicode code points).
 * Returns the PIN bytes; the caller zeroes them.
 */
export function pinBytes(pin: unknown, field = 'pin'): Uint8Array {
  if (typeof pin !== 'string') throw new OffcodeClientError('INVALID_INPUT', `${field} must be a string`);
  if (!isWellFormedString(pin))
    throw new OffcodeClientError('INVALID_INPUT', `${field} is not valid Unicode`);
  const length = [...pin].length;
  if (length < PIN_MIN_LENGTH || length > PIN_MAX_LENGTH) {
    throw new OffcodeClientError(
      'INVALID_INPUT',
      `${field} must have ${PIN_MIN_LENGTH} to ${PIN_MAX_LENGTH} characters`,
    );
  }
  return utf8Encode(pin);
}

/**
 * The key-encryption key for the PIN (crypto.md §10.1 / §10.2): V4 KMAC256 on the token's engine; V3
 * PBKDF2-HMAC-SHA1, which the engine does not offer, on @noble/hashes.
 */
export function pinKek(
  engine: OffcodeCrypto,
  protocol: ProtocolVersion,
  pin: Uint8Array,
  salt: Uint8Array,
): Uint8Array {
  if (protocol === 3) {
    return pbkdf2(sha1, pin, salt, { c: V3_PBKDF2_ITERATIONS, dkLen: 16 });
  }
  return engine.kmac256(pin, salt, { customization: 'PA4PBKDF', dkLen: 32 });
}

/** One AES block (V3, AES-128-ECB = CBC with a zero IV) or AES-256-CTR with a zero counter block (V4). */
function transform(
  protocol: ProtocolVersion,
  kek: Uint8Array,
  input: Uint8Array,
  decrypt: boolean,
): Uint8Array {
  if (protocol === 3) {
    const cipher = ecb(kek, { disablePadding: true });
    return decrypt ? cipher.decrypt(input) : cipher.encrypt(input);
  }
  // CTR is its own inverse; the salt (hence the KEK) is fresh per wrap, so the counter block never repeats.
  return ctr(kek, new Uint8Array(16)).encrypt(input);
}

function checkSizes(protocol: ProtocolVersion, salt: Uint8Array, key: Uint8Array): void {
  const size = saltLength(protocol);
  if (salt.length !== size || key.length !== size) {
    throw new OffcodeClientError('INVALID_INPUT', `knowledge key and salt must be ${size} bytes`);
  }
}

/** Wraps `knowledgeKey` under `pin` with the given salt (pass fresh CSPRNG bytes; fixed only in KATs). */
export function wrapKnowledgeKey(
  engine: OffcodeCrypto,
  protocol: ProtocolVersion,
  pin: string,
  salt: Uint8Array,
  knowledgeKey: Uint8Array,
): WrappedKnowledgeKey {
  checkSizes(protocol, salt, knowledgeKey);
  const pinB = pinBytes(pin);
  const kek = pinKek(engine, protocol, pinB, salt);
  try {
    return {
      scheme: schemeFor(protocol),
      salt: salt.slice(),
      wrapped: transform(protocol, kek, knowledgeKey, false),
    };
  } finally {
    zeroize(pinB, kek);
  }
}

/** Unwraps with `pin`. Never fails for a wrong PIN: it returns a different key (the caller zeroes it). */
export function unwrapKnowledgeKey(
  engine: OffcodeCrypto,
  protocol: ProtocolVersion,
  pin: string,
  wrapped: WrappedKnowledgeKey,
): Uint8Array {
  if (wrapped.scheme !== schemeFor(protocol)) {
    throw new OffcodeClientError(
      'STORAGE_FAILURE',
      `knowledge key scheme does not match protocol ${protocol}`,
    );
  }
  checkSizes(protocol, wrapped.salt, wrapped.wrapped);
  const pinB = pinBytes(pin);
  const kek = pinKek(engine, protocol, pinB, wrapped.salt);
  try {
    return transform(protocol, kek, wrapped.wrapped, true);
  } finally {
    zeroize(pinB, kek);
  }
}
