import { readRepoVector } from '../../../scripts/vector-paths.mjs';
import { getNobleCrypto } from '../src/noble.js';
import { getWasmCrypto } from '../src/wasm.js';

// The published PowerAuth files are read from ../shared/vectors (never copied into the repository) and
// replayed together with their regression twins: scripts/vector-paths.mjs says where both are.
export {
  REPO_VECTORS_DIR,
  sharedVectorsDir,
  type VectorSource,
  vectorSources,
} from '../../../scripts/vector-paths.mjs';

/** A project-made file of test-vectors/ (`path` relative to it). */
export function readVector<T = unknown>(path: string): T {
  return JSON.parse(readRepoVector(path)) as T;
}

export const backends = [getWasmCrypto(), getNobleCrypto()];

export const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
export const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const toB64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
