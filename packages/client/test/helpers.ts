import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getNobleCrypto, getWasmCrypto } from '@offcode/crypto-wasm';
import type { CryptoSuite } from '@offcode/protocol';
import { expect } from 'vitest';
import { OffcodeClientError } from '../src/errors.js';

const here = dirname(fileURLToPath(import.meta.url));
export const PACKAGE_DIR = join(here, '..');
export const DIST_DIR = join(PACKAGE_DIR, 'dist');

/** Both backends, or noble alone in the Hermes stand-in run (no WebAssembly). */
export const backends =
  typeof WebAssembly === 'undefined' ? [getNobleCrypto()] : [getWasmCrypto(), getNobleCrypto()];

/** The suite of test code that plays the server (payload signing etc.): noble, so it runs under Hermes too. */
export const TEST_SUITE: CryptoSuite = { engine: getNobleCrypto(), impl: 'noble' };

export const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
export const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const toB64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/** Awaits `p`, expects it to reject with an OffcodeClientError of `code`, and returns that error. */
export async function fails(p: Promise<unknown>, code: string): Promise<OffcodeClientError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(OffcodeClientError);
  expect((e as OffcodeClientError).code).toBe(code);
  return e as OffcodeClientError;
}
