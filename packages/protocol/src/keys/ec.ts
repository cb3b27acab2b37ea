/**
 * EC key material (crypto.md 1.3): generation, import/export of SEC1 points and Java-style private keys, ECDH.
 * Generation, public-key computation and ECDH run on the suite's implementation (node:crypto is about 30x
 * faster than @noble/curves; both give identical bytes). Parsing and validation of key bytes need no suite:
 * they always run on @noble/curves, so a key is accepted or refused the same way everywhere.
 */
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { ProtocolError } from '../errors.js';
import type { NodeCrypto } from '../runtime.js';
import { type CryptoSuite, nodeCryptoOf } from '../suite.js';
import { type Curve, type CurveInfo, curveInfo } from './curves.js';

export type { Curve } from './curves.js';

export interface EcKeyPair {
  /** The scalar d, exactly 32 (P-256) or 48 (P-384) bytes. */
  privateKey: Uint8Array;
  /** Uncompressed SEC1 point `04 || X || Y`, 65 or 97 bytes. */
  publicKey: Uint8Array;
}

function checkBytes(value: unknown, field: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new ProtocolError('INVALID_KEY', field, 'must be a Uint8Array');
  return value;
}

/** Scalar d as fixed-size bytes, validated 1 <= d < n (internal, takes the curve info). */
export function normalizePrivateKeyFor(info: CurveInfo, bytes: unknown, field = 'privateKey'): Uint8Array {
  let b = checkBytes(bytes, field);
  // Java writes BigInteger.toByteArray(): a 00 sign byte when the top bit is set, fewer bytes when the
  // high bytes are zero.
  if (b.length === info.size + 1 && b[0] === 0) b = b.subarray(1);
  if (b.length === 0 || b.length > info.size) {
    throw new ProtocolError(
      'INVALID_KEY',
      field,
      `must be a ${info.name} private key of at most ${info.size} bytes`,
    );
  }
  const d = bytesToNumberBE(b);
  if (d < 1n || d >= info.order) {
    throw new ProtocolError('INVALID_KEY', field, `is not a valid ${info.name} private scalar`);
  }
  return numberToBytesBE(d, info.size);
}

/**
 * Validates and normalizes a private key: accepts the 32/48-byte scalar, the Java 33/49-byte form with a
 * leading 00 and shorter forms; returns exactly 32/48 bytes. Throws `ProtocolError` `INVALID_KEY`.
 */
export function normalizePrivateKey(curve: Curve, bytes: Uint8Array): Uint8Array {
  return normalizePrivateKeyFor(curveInfo(curve), bytes);
}

/** Uncompressed point of a validated public key (internal, takes the curve info). */
export function normalizePublicKeyFor(
  info: CurveInfo,
  bytes: unknown,
  field = 'publicKey',
  node: NodeCrypto | null = null,
): Uint8Array {
  const b = checkBytes(bytes, field);
  const prefix = b[0];
  const compressed = (prefix === 2 || prefix === 3) && b.length === info.size + 1;
  const uncompressed = prefix === 4 && b.length === 2 * info.size + 1;
  if (!compressed && !uncompressed) {
    throw new ProtocolError(
      'INVALID_KEY',
      field,
      `must be a ${info.name} SEC1 point (${2 * info.size + 1} bytes uncompressed or ${info.size + 1} compressed)`,
    );
  }
  try {
    let point = b;
    if (compressed) {
      point = node
        ? new Uint8Array(
            node.ECDH.convertKey(b, info.nodeName, undefined, undefined, 'uncompressed') as Buffer,
          )
        : info.noble.Point.fromBytes(b).toBytes(false);
    }
    // fromBytes checks the coordinates are field elements and the point is on the curve (never the identity).
    info.noble.Point.fromBytes(point).assertValidity();
    return point === b ? b.slice() : point;
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    throw new ProtocolError('INVALID_KEY', field, `is not a point on ${info.name}`);
  }
}

/**
 * Validates a public key (compressed or uncompressed SEC1, on the curve, not the identity) and returns the
 * uncompressed form (65 / 97 bytes). Throws `ProtocolError` `INVALID_KEY`.
 */
export function normalizePublicKey(curve: Curve, bytes: Uint8Array): Uint8Array {
  return normalizePublicKeyFor(curveInfo(curve), bytes);
}

/** Compressed SEC1 form (33 / 49 bytes) of a valid public key. */
export function compressPublicKey(curve: Curve, publicKey: Uint8Array): Uint8Array {
  const info = curveInfo(curve);
  const point = normalizePublicKeyFor(info, publicKey);
  const out = point.slice(0, info.size + 1);
  out[0] = (point[point.length - 1]! & 1) === 1 ? 3 : 2;
  return out;
}

/** The uncompressed public key of a private key. */
export function publicKeyFromPrivate(suite: CryptoSuite, curve: Curve, privateKey: Uint8Array): Uint8Array {
  const node = nodeCryptoOf(suite);
  const info = curveInfo(curve);
  const d = normalizePrivateKeyFor(info, privateKey);
  if (node) {
    const ecdh = node.createECDH(info.nodeName);
    ecdh.setPrivateKey(d);
    return new Uint8Array(ecdh.getPublicKey(null, 'uncompressed'));
  }
  return info.noble.getPublicKey(d, false);
}

/** A fresh key pair from the platform CSPRNG. */
export function generateKeyPair(suite: CryptoSuite, curve: Curve): EcKeyPair {
  const node = nodeCryptoOf(suite);
  const info = curveInfo(curve);
  if (node) {
    const ecdh = node.createECDH(info.nodeName);
    ecdh.generateKeys();
    return {
      privateKey: normalizePrivateKeyFor(info, new Uint8Array(ecdh.getPrivateKey())),
      publicKey: new Uint8Array(ecdh.getPublicKey(null, 'uncompressed')),
    };
  }
  const privateKey = info.noble.utils.randomSecretKey();
  return { privateKey, publicKey: info.noble.getPublicKey(privateKey, false) };
}

/**
 * ECDH shared value Z: the X coordinate of d·Q, fixed length (32 / 48 bytes, leading zeros kept). Accepts
 * Java-style private keys and compressed or uncompressed public keys.
 */
export function ecdh(
  suite: CryptoSuite,
  curve: Curve,
  privateKey: Uint8Array,
  publicKey: Uint8Array,
): Uint8Array {
  const node = nodeCryptoOf(suite);
  const info = curveInfo(curve);
  const d = normalizePrivateKeyFor(info, privateKey);
  const q = normalizePublicKeyFor(info, publicKey, 'publicKey', node);
  if (node) {
    const ecdh = node.createECDH(info.nodeName);
    ecdh.setPrivateKey(d);
    const z = new Uint8Array(ecdh.computeSecret(q));
    if (z.length === info.size) return z;
    const padded = new Uint8Array(info.size);
    padded.set(z, info.size - z.length);
    return padded;
  }
  // noble returns the shared point compressed (02/03 || X): Z is X (crypto.md trap 3).
  return info.noble.getSharedSecret(d, q, true).slice(1);
}
