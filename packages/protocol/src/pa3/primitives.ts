/**
 * Byte-level building blocks of PowerAuth 3.3 (activation.md 1), each on the suite it is given:
 * Join, KDF_INTERNAL, the AES index KDF and X9.63-KDF-SHA256.
 */

import { concatBytes } from '@noble/hashes/utils.js';
import { MAX_INPUT_BYTES } from '@offcode/crypto-wasm';
import { ProtocolError } from '../errors.js';
import { kdfV3, xorFold } from '../keys/v3.js';
import type { CryptoSuite } from '../suite.js';

/** The largest message the engine hashes (1 MiB); callers check lengths against it before hashing. */
export const MAX_HASHED_BYTES = MAX_INPUT_BYTES;

/** `Join(a, b, …)`: each item as a 4-byte big-endian length followed by its bytes (an empty item is 00000000). */
export function joinWithLengths(...items: readonly Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const item of items) {
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, item.length, false);
    parts.push(length, item);
  }
  return concatBytes(...parts);
}

/** Refuses anything but a Uint8Array of the given length (a key or nonce argument of a caller). */
export function requireBytes(value: unknown, field: string, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array))
    throw new ProtocolError('INVALID_ARGUMENT', field, 'must be a Uint8Array');
  if (length !== undefined && value.length !== length) {
    throw new ProtocolError('INVALID_LENGTH', field, `must be exactly ${length} bytes, got ${value.length}`);
  }
  return value;
}

/** `KDF_INTERNAL(key16, data) = fold16(HMAC-SHA256(key16, data))`. */
export function kdfInternal(suite: CryptoSuite, key: Uint8Array, data: Uint8Array): Uint8Array {
  return xorFold(suite.engine.hmacSha256(key, data));
}

/** `KDF(key16, index) = AES-128-ECB(key16, 0^8 || BE64(index))` on the suite's AES. */
export function kdfIndex(suite: CryptoSuite, key: Uint8Array, index: number): Uint8Array {
  return kdfV3(suite, key, index);
}

/** ANSI X9.63 KDF with SHA-256: `SHA-256(Z || BE32(counter) || sharedInfo)` for counter = 1, 2, …, truncated. */
export function x963KdfSha256(
  suite: CryptoSuite,
  secret: Uint8Array,
  sharedInfo: Uint8Array,
  length: number,
): Uint8Array {
  const blocks: Uint8Array[] = [];
  const counter = new Uint8Array(4);
  for (let i = 1; blocks.length * 32 < length; i++) {
    new DataView(counter.buffer).setUint32(0, i, false);
    blocks.push(suite.engine.sha256(concatBytes(secret, counter, sharedInfo)));
  }
  return concatBytes(...blocks).slice(0, length);
}

/** Big-endian 64-bit encoding of a non-negative safe integer (ECIES timestamps). */
export function be64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value), false);
  return out;
}
