/**
 * Optional native crypto. On Node (20.16+ has `process.getBuiltinModule`) node:crypto makes ECDSA and ECDH
 * 20-36x faster than pure JS; elsewhere (browsers, React Native, older Node) the pure-JS @noble code runs.
 * The module is looked up at run time, never imported, so browser bundles stay free of Node built-ins.
 */
import { ProtocolError } from './errors.js';

export type NodeCrypto = typeof import('node:crypto');

/** Which implementation of the EC and AES primitives to use. */
export type CryptoImplementation = 'node' | 'noble' | 'auto';

interface ProcessLike {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

let cached: NodeCrypto | null | undefined;

/** node:crypto when running on Node with `process.getBuiltinModule`, else null. */
export function getNodeCrypto(): NodeCrypto | null {
  if (cached !== undefined) return cached;
  cached = null;
  const proc = (globalThis as { process?: ProcessLike }).process;
  if (proc?.versions?.node && typeof proc.getBuiltinModule === 'function') {
    try {
      const mod = proc.getBuiltinModule('node:crypto') as NodeCrypto | undefined;
      if (mod && typeof mod.createECDH === 'function') cached = mod;
    } catch {
      cached = null;
    }
  }
  return cached;
}

let ecdsaDefault: CryptoImplementation = 'auto';
let otherDefault: CryptoImplementation = 'auto';

function checkImpl(impl: unknown): CryptoImplementation {
  if (impl !== 'node' && impl !== 'noble' && impl !== 'auto') {
    throw new ProtocolError('INVALID_ARGUMENT', 'impl', 'must be "node", "noble" or "auto"');
  }
  return impl;
}

/** Selects the ECDSA implementation process-wide (tests, benchmarks); `auto` = node:crypto when present. */
export function setEcdsaImplementation(impl: CryptoImplementation): void {
  ecdsaDefault = checkImpl(impl);
}

/**
 * Selects the implementation of every native-capable primitive process-wide: ECDSA, ECDH, key generation
 * and the V3 AES key derivation.
 */
export function setCryptoImplementation(impl: CryptoImplementation): void {
  ecdsaDefault = checkImpl(impl);
  otherDefault = ecdsaDefault;
}

function resolve(impl: CryptoImplementation | undefined, fallback: CryptoImplementation): NodeCrypto | null {
  const chosen = impl === undefined ? fallback : checkImpl(impl);
  if (chosen === 'noble') return null;
  const node = getNodeCrypto();
  if (chosen === 'node' && node === null) {
    throw new ProtocolError('UNSUPPORTED', 'impl', 'node:crypto is not available in this runtime');
  }
  return node;
}

/** node:crypto for ECDSA, or null for @noble/curves. */
export function ecdsaBackend(impl?: CryptoImplementation): NodeCrypto | null {
  return resolve(impl, ecdsaDefault);
}

/** node:crypto for ECDH, key generation and AES, or null for @noble. */
export function nativeBackend(impl?: CryptoImplementation): NodeCrypto | null {
  return resolve(impl, otherDefault);
}
