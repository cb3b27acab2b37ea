import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getNobleCrypto, getWasmCrypto } from '@offcode/crypto-wasm';

const here = dirname(fileURLToPath(import.meta.url));
/** The repo's copy of the shared vectors (tests read only this copy). */
export const VECTORS_DIR = join(here, '..', '..', '..', 'test-vectors');
export const PACKAGE_DIR = join(here, '..');
export const DIST_DIR = join(PACKAGE_DIR, 'dist');

export function readVector<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(join(VECTORS_DIR, path), 'utf8')) as T;
}

/** Both backends, or noble alone in the Hermes stand-in run (no WebAssembly). */
export const backends =
  typeof WebAssembly === 'undefined' ? [getNobleCrypto()] : [getWasmCrypto(), getNobleCrypto()];

export const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
export const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const toB64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

export interface PayloadCase {
  id: string;
  kind: string;
  input: unknown;
  valid: boolean;
  reason?: string;
  expected?: unknown;
}

export function payloadCases(): PayloadCase[] {
  return readVector<{ cases: PayloadCase[] }>('payload-cases.json').cases;
}

export function payloadCase(id: string): string {
  const c = payloadCases().find((x) => x.id === id);
  if (!c || typeof c.input !== 'string') throw new Error(`payload case ${id} not found`);
  return c.input;
}
