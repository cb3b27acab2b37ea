/**
 * The crypto a protocol function runs on, passed explicitly (never read from the environment or from a
 * process-wide switch): the hash/MAC/code engine of @offcode/crypto-wasm and the EC/AES implementation.
 * Every function that hashes, MACs, derives, signs, verifies, multiplies or encrypts takes it as its first
 * parameter. Two suites in one process (a wasm server next to a noble test client) never mix.
 */
import { getOffcodeCrypto, OFFCODE_CRYPTO_METHODS, type OffcodeCrypto } from '@offcode/crypto-wasm';
import { ProtocolError } from './errors.js';
import { type CryptoImplementation, checkImplementation, type NodeCrypto, nodeCryptoFor } from './runtime.js';

export interface CryptoSuite {
  /** SHA-256, HMAC-SHA256, SHA3-256, KMAC256, the code engine and the hash counter. */
  readonly engine: OffcodeCrypto;
  /** ECDH, ECDSA, key generation and AES: `node` (node:crypto), `noble` or `auto` (node:crypto where present). */
  readonly impl: CryptoImplementation;
}

const ENGINE_METHODS = OFFCODE_CRYPTO_METHODS;

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
  checkImplementation(s?.impl, 'suite.impl');
  return s as CryptoSuite;
}

/** node:crypto for the suite's EC/AES work, or null for @noble (validates the suite first). */
export function nodeCryptoOf(suite: CryptoSuite): NodeCrypto | null {
  return nodeCryptoFor(checkSuite(suite).impl);
}

/**
 * A suite from backend names: `engine` `wasm` | `noble` | `auto` (default auto: wasm where it runs) and
 * `impl` `node` | `noble` | `auto` (default auto: node:crypto where present). Throws `OffcodeCryptoError`
 * `UNSUPPORTED_BACKEND` for an engine that cannot run here.
 */
export function createCryptoSuite(
  options: { engine?: 'wasm' | 'noble' | 'auto' | OffcodeCrypto; impl?: CryptoImplementation } = {},
): CryptoSuite {
  const engine =
    typeof options.engine === 'object' && options.engine !== null
      ? options.engine
      : getOffcodeCrypto(options.engine ?? 'auto');
  return checkSuite({ engine, impl: options.impl ?? 'auto' });
}
