/**
 * The crypto a protocol function runs on, passed explicitly (never read from the environment): the
 * hash/MAC/code engine of @offcode/crypto-wasm and the EC/AES implementation selector of `runtime.ts`.
 * Two suites in one process (a wasm server next to a noble test client) never mix.
 */
import type { OffcodeCrypto } from '@offcode/crypto-wasm';
import { ProtocolError } from './errors.js';
import type { CryptoImplementation } from './runtime.js';

export interface CryptoSuite {
  /** SHA-256, HMAC-SHA256, the code engine and the hash counter. */
  readonly engine: OffcodeCrypto;
  /** ECDH, ECDSA, key generation and AES: `node` (node:crypto), `noble` or `auto`. */
  readonly impl: CryptoImplementation;
}

const ENGINE_METHODS = ['sha256', 'hmacSha256', 'computeCodeComponents', 'computeAuthCode', 'nextCounter'];

/** Validates a suite argument (a missing engine would otherwise surface as a TypeError deep inside). */
export function checkSuite(suite: unknown): CryptoSuite {
  const s = suite as Partial<CryptoSuite> | null | undefined;
  const engine = s?.engine as unknown as Record<string, unknown> | undefined;
  if (
    typeof engine !== 'object' ||
    engine === null ||
    ENGINE_METHODS.some((m) => typeof engine[m] !== 'function')
  ) {
    throw new ProtocolError('INVALID_ARGUMENT', 'suite.engine', 'must be an OffcodeCrypto engine');
  }
  if (s?.impl !== 'node' && s?.impl !== 'noble' && s?.impl !== 'auto') {
    throw new ProtocolError('INVALID_ARGUMENT', 'suite.impl', 'must be "node", "noble" or "auto"');
  }
  return s as CryptoSuite;
}
