/** CTR_DATA helpers (crypto.md 2.3 and 4.4). */
import { nextCounter } from '@offcode/crypto-wasm';
import { randomBytes } from '../bytes.js';
import { ProtocolError } from '../errors.js';

/** PowerAuth protocol generation: 3 = HMAC-SHA256 / P-256, 4 = KMAC256 / P-384. */
export type Protocol = 3 | 4;

function checkProtocol(protocol: unknown): Protocol {
  if (protocol !== 3 && protocol !== 4)
    throw new ProtocolError('INVALID_ARGUMENT', 'protocol', 'must be 3 or 4');
  return protocol;
}

/** Fresh random CTR_DATA: 16 bytes for V3, 32 bytes for V4. */
export function generateCounterData(protocol: Protocol): Uint8Array {
  return randomBytes(checkProtocol(protocol) === 4 ? 32 : 16);
}

/** next(CTR_DATA): V3 xor-fold SHA-256, V4 SHA3-256 (the @offcode/crypto-wasm implementation). */
export function nextCounterData(protocol: Protocol, counter: Uint8Array): Uint8Array {
  return nextCounter(checkProtocol(protocol), counter);
}
