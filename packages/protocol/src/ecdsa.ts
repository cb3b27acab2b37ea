/**
 * ECDSA over the payload's signed bytes (crypto.md 7.2-7.3): P-256/SHA-256 (V3) and P-384/SHA-384 (V4),
 * ASN.1 DER, low-S never enforced. node:crypto when present, @noble/curves otherwise; the two paths are
 * tested against each other.
 */
import { derToCompact, parseDerSignature } from './der.js';
import { ProtocolError } from './errors.js';
import { type Curve, type CurveInfo, curveInfo } from './keys/curves.js';
import { normalizePrivateKeyFor, normalizePublicKeyFor } from './keys/ec.js';
import { getNodeCrypto, type NodeCrypto } from './runtime.js';
import { type CryptoSuite, nodeCryptoOf } from './suite.js';

function checkMessage(message: unknown): Uint8Array {
  if (!(message instanceof Uint8Array))
    throw new ProtocolError('INVALID_DATA', 'message', 'must be a Uint8Array');
  return message;
}

function nodePrivateKey(node: NodeCrypto, info: CurveInfo, d: Uint8Array) {
  const ecdh = node.createECDH(info.nodeName);
  ecdh.setPrivateKey(d);
  const pub = ecdh.getPublicKey(null, 'uncompressed');
  const b64u = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
  return node.createPrivateKey({
    key: {
      kty: 'EC',
      crv: info.name,
      d: b64u(d),
      x: b64u(pub.subarray(1, 1 + info.size)),
      y: b64u(pub.subarray(1 + info.size)),
    },
    format: 'jwk',
  });
}

type NodeKeyObject = ReturnType<NodeCrypto['createPrivateKey']>;
const PREPARE = Symbol('prepareEcdsaSigningKey');
const prepared = new WeakMap<EcdsaSigningKey, { node: NodeKeyObject | null; d: Uint8Array | null }>();

/**
 * A private key prepared once for many signatures (`prepareEcdsaSigningKey`). On Node it is a node:crypto
 * KeyObject: the key lives in OpenSSL's memory, freed (cleared) when the object is collected, and nothing
 * here exports it. Without node:crypto it holds a copy of the scalar for @noble. Preparing is the costly
 * part of a node:crypto signature (the public point and the JWK import, 2-4x the signing itself), so a
 * caller that signs repeatedly with one key prepares it once.
 */
export class EcdsaSigningKey {
  readonly curve: Curve;
  /** Not constructible from outside: the key material is attached by `prepareEcdsaSigningKey` only. */
  constructor(token: symbol, curve: Curve) {
    if (token !== PREPARE)
      throw new ProtocolError('INVALID_ARGUMENT', 'EcdsaSigningKey', 'is made by prepareEcdsaSigningKey');
    this.curve = curve;
  }
}
function preparedKey(curve: Curve, node: NodeKeyObject | null, d: Uint8Array | null): EcdsaSigningKey {
  const key = new EcdsaSigningKey(PREPARE, curve);
  prepared.set(key, { node, d });
  return key;
}

/** Validates `privateKey` (the forms `normalizePrivateKey` accepts) and prepares it for `signEcdsaDer`. */
export function prepareEcdsaSigningKey(
  suite: CryptoSuite,
  curve: Curve,
  privateKey: Uint8Array,
): EcdsaSigningKey {
  const node = nodeCryptoOf(suite);
  const info = curveInfo(curve);
  const d = normalizePrivateKeyFor(info, privateKey);
  if (!node) return preparedKey(info.name, null, d);
  try {
    return preparedKey(info.name, nodePrivateKey(node, info, d), null);
  } finally {
    d.fill(0);
  }
}

function signPrepared(key: EcdsaSigningKey, info: CurveInfo, msg: Uint8Array, node: NodeCrypto | null) {
  const inner = prepared.get(key);
  if (!inner || key.curve !== info.name)
    throw new ProtocolError('INVALID_KEY', 'privateKey', `must be a ${info.name} key`);
  if (inner.node) {
    // A KeyObject signs on node:crypto whatever the suite: only node:crypto can use it.
    const nodeCrypto = node ?? (getNodeCrypto() as NodeCrypto);
    return new Uint8Array(nodeCrypto.sign(info.hash, msg, { key: inner.node, dsaEncoding: 'der' }));
  }
  return info.noble.sign(msg, inner.d as Uint8Array, { format: 'der' });
}

/**
 * Signs `message` (the library hashes it: SHA-256 for P-256, SHA-384 for P-384) and returns the DER
 * signature. noble signs deterministically (RFC 6979), node:crypto with a random nonce; both are valid.
 * `privateKey` is the scalar or a key from `prepareEcdsaSigningKey` (of the same curve).
 */
export function signEcdsaDer(
  suite: CryptoSuite,
  curve: Curve,
  privateKey: Uint8Array | EcdsaSigningKey,
  message: Uint8Array,
): Uint8Array {
  const node = nodeCryptoOf(suite);
  const info = curveInfo(curve);
  if (privateKey instanceof EcdsaSigningKey)
    return signPrepared(privateKey, info, checkMessage(message), node);
  const d = normalizePrivateKeyFor(info, privateKey);
  const msg = checkMessage(message);
  if (node) {
    const key = nodePrivateKey(node, info, d);
    return new Uint8Array(node.sign(info.hash, msg, { key, dsaEncoding: 'der' }));
  }
  return info.noble.sign(msg, d, { format: 'der' });
}

/**
 * Verifies a DER signature over `message`. Returns false for a wrong or malformed signature (BER, trailing
 * bytes, r or s out of range); high-S signatures are accepted (Java and OpenSSL emit them). An invalid public
 * key is a configuration error and throws `ProtocolError` `INVALID_KEY`.
 */
export function verifyEcdsaDer(
  suite: CryptoSuite,
  curve: Curve,
  publicKey: Uint8Array,
  message: Uint8Array,
  derSignature: Uint8Array,
): boolean {
  const node = nodeCryptoOf(suite);
  const info = curveInfo(curve);
  const q = normalizePublicKeyFor(info, publicKey, 'publicKey', node);
  const msg = checkMessage(message);
  if (!(derSignature instanceof Uint8Array)) return false;
  const values = parseDerSignature(derSignature, info.size, info.order);
  if (values === null) return false;
  if (node) {
    const spki = new Uint8Array(info.spkiPrefix.length + q.length);
    spki.set(info.spkiPrefix, 0);
    spki.set(q, info.spkiPrefix.length);
    const key = node.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    return node.verify(info.hash, msg, { key, dsaEncoding: 'der' }, derSignature);
  }
  try {
    return info.noble.verify(derToCompact(values, info.size), msg, q, { format: 'compact', lowS: false });
  } catch {
    return false;
  }
}
