/** Curve parameters shared by the EC modules (internal). */
import { p256, p384 } from '@noble/curves/nist.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { ProtocolError } from '../errors.js';

export type Curve = 'P-256' | 'P-384';

export interface CurveInfo {
  readonly name: Curve;
  /** Scalar / coordinate size in bytes. */
  readonly size: number;
  /** OpenSSL name for `crypto.createECDH`. */
  readonly nodeName: string;
  /** Digest used with ECDSA on this curve (crypto.md 7.2). */
  readonly hash: 'sha256' | 'sha384';
  /** Group order n. */
  readonly order: bigint;
  readonly noble: typeof p256;
  /** DER prefix of a SubjectPublicKeyInfo holding an uncompressed point (node:crypto import). */
  readonly spkiPrefix: Uint8Array;
}

const P256: CurveInfo = {
  name: 'P-256',
  size: 32,
  nodeName: 'prime256v1',
  hash: 'sha256',
  order: p256.Point.Fn.ORDER,
  noble: p256,
  spkiPrefix: hexToBytes('3059301306072a8648ce3d020106082a8648ce3d030107034200'),
};

const P384: CurveInfo = {
  name: 'P-384',
  size: 48,
  nodeName: 'secp384r1',
  hash: 'sha384',
  order: p384.Point.Fn.ORDER,
  noble: p384,
  spkiPrefix: hexToBytes('3076301006072a8648ce3d020106052b81040022036200'),
};

export function curveInfo(curve: unknown, field = 'curve'): CurveInfo {
  if (curve === 'P-256') return P256;
  if (curve === 'P-384') return P384;
  throw new ProtocolError('INVALID_ARGUMENT', field, 'must be "P-256" or "P-384"');
}
