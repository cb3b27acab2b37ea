import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getNobleCrypto } from '../src/noble.js';
import { getWasmCrypto } from '../src/wasm.js';

/** The repo's copy of the shared vectors (byte-identical to ../shared/vectors, checked in vectors-copy). */
export const VECTORS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test-vectors');

export function readVector<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(join(VECTORS_DIR, path), 'utf8')) as T;
}

export const backends = [getWasmCrypto(), getNobleCrypto()];

export const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
export const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const toB64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full).map((f) => join(name, f)) : [name];
  });
}

export { relative };
