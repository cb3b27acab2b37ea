/** Private keys drawn from the token's random source (device keys, ECIES ephemeral keys). */
import {
  type CryptoSuite,
  normalizePrivateKey,
  PROTOCOL_PARAMETERS,
  publicKeyFromPrivate,
} from '@offcode/protocol';
import { zeroize } from '../bytes.js';
import { OffcodeClientError } from '../errors.js';
import { type RandomSource, randomBytes } from '../random.js';
import type { Protocol } from '../state.js';
import type { DeviceKeyPair } from './key-exchange.js';

/** A scalar in 1..n-1 of the protocol's curve from `random` (a draw of 0 or ≥ n is drawn again). */
export function randomPrivateKey(random: RandomSource, protocol: Protocol): Uint8Array {
  const { curve, privateKeyBytes } = PROTOCOL_PARAMETERS[protocol];
  for (let attempt = 0; attempt < 64; attempt++) {
    const candidate = randomBytes(random, privateKeyBytes);
    try {
      return normalizePrivateKey(curve, candidate).slice();
    } catch {
      // 0 or ≥ n: draw again (probability about 2^-32 per draw or less)
    } finally {
      zeroize(candidate);
    }
  }
  throw new OffcodeClientError('CRYPTO_UNAVAILABLE', 'the random source does not produce valid private keys');
}

/** The device key pair (public key uncompressed). */
export function generateDeviceKeyPair(
  suite: CryptoSuite,
  random: RandomSource,
  protocol: Protocol,
): DeviceKeyPair {
  const privateKey = randomPrivateKey(random, protocol);
  const publicKey = publicKeyFromPrivate(suite, PROTOCOL_PARAMETERS[protocol].curve, privateKey);
  return { privateKey, publicKey };
}
