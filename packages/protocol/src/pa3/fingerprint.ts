/**
 * The activation fingerprint both sides can show (activation.md 5.4): SHA-256 over the device's and the
 * server's x-coordinates and the activation ID, reduced to 8 decimal digits.
 */

import { concatBytes } from '@noble/hashes/utils.js';
import { utf8Encode } from '../base64.js';
import { curveInfo } from '../keys/curves.js';
import { normalizePublicKeyFor } from '../keys/ec.js';
import { type CryptoSuite, checkSuite, nodeCryptoOf } from '../suite.js';
import { checkActivationId } from './fields.js';

/** The affine x-coordinate as minimal unsigned big-endian bytes (a leading zero byte is dropped, as both SDK and Java do). */
function minimalX(suite: CryptoSuite, publicKey: Uint8Array, field: string): Uint8Array {
  const point = normalizePublicKeyFor(curveInfo('P-256'), publicKey, field, nodeCryptoOf(suite));
  const x = point.subarray(1, 33);
  let start = 0;
  while (start < x.length - 1 && x[start] === 0) start++;
  return x.slice(start);
}

/**
 * `SHA-256(X(device) || UTF-8(activationId) || X(server))`; the last 4 bytes as a big-endian integer with
 * the top bit cleared, mod 10^8, as 8 digits. Keys may be compressed or uncompressed.
 */
export function activationFingerprint(
  suite: CryptoSuite,
  input: { devicePublicKey: Uint8Array; serverPublicKey: Uint8Array; activationId: string },
): string {
  checkSuite(suite);
  const data = concatBytes(
    minimalX(suite, input?.devicePublicKey, 'devicePublicKey'),
    utf8Encode(checkActivationId(input.activationId)),
    minimalX(suite, input.serverPublicKey, 'serverPublicKey'),
  );
  const hash = suite.engine.sha256(data);
  const tail = new DataView(hash.buffer, hash.byteOffset + hash.length - 4, 4).getUint32(0, false);
  return String((tail & 0x7fffffff) % 100_000_000).padStart(8, '0');
}
