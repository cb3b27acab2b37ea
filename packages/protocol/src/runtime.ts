/**
 * Optional native crypto. On Node (20.16+ has `process.getBuiltinModule`) node:crypto makes ECDSA and ECDH
 * 20-36x faster than pure JS; elsewhere (browsers, React Native, older Node) the pure-JS @noble code runs.
 * The module is looked up at run time, never imported, so browser bundles stay free of Node built-ins.
 * Which one runs is the `impl` of the `CryptoSuite` a function is given: there is no process-wide default.
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

/** node:crypto when running on Node with `process.getBuiltinModule`, else null (a fact of the runtime). */
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

export function checkImplementation(impl: unknown, field = 'impl'): CryptoImplementation {
  if (impl !== 'node' && impl !== 'noble' && impl !== 'auto') {
    throw new ProtocolError('INVALID_ARGUMENT', field, 'must be "node", "noble" or "auto"');
  }
  return impl;
}

/** node:crypto for `node` (throws where it is missing) and `auto` (where present), null for @noble. */
export function nodeCryptoFor(impl: CryptoImplementation): NodeCrypto | null {
  if (checkImplementation(impl) === 'noble') return null;
  const node = getNodeCrypto();
  if (impl === 'node' && node === null) {
    throw new ProtocolError('UNSUPPORTED', 'impl', 'node:crypto is not available in this runtime');
  }
  return node;
}
