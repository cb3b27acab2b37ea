/** CTR_DATA helpers (crypto.md 2.3 and 4.4). */
import { randomBytes } from '@noble/hashes/utils.js';
import { type CryptoSuite, checkSuite } from '../suite.js';
import { checkProtocolVersion, PROTOCOL_PARAMETERS, type ProtocolVersion } from '../versions.js';

/** Fresh random CTR_DATA of the version's size (16 bytes for V3, 32 bytes for V4). */
export function generateCounterData(protocol: ProtocolVersion): Uint8Array {
  return randomBytes(PROTOCOL_PARAMETERS[checkProtocolVersion(protocol)].counterBytes);
}

/** next(CTR_DATA) on the suite's engine: V3 xor-fold SHA-256, V4 SHA3-256. */
export function nextCounterData(
  suite: CryptoSuite,
  protocol: ProtocolVersion,
  counter: Uint8Array,
): Uint8Array {
  return checkSuite(suite).engine.nextCounter(checkProtocolVersion(protocol), counter);
}
