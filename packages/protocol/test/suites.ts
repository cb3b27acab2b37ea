/** Crypto suites for the tests: every function that needs crypto is given one explicitly. */
import { getNobleCrypto, getWasmCrypto } from '@offcode/crypto-wasm';
import type { CryptoImplementation } from '../src/runtime.js';
import type { CryptoSuite } from '../src/suite.js';

/** The default suite of a test that is not about the implementation: wasm engine, node:crypto where present. */
export const SUITE: CryptoSuite = { engine: getWasmCrypto(), impl: 'auto' };

/** The wasm engine with the given EC/AES implementation. */
export const suiteOf = (impl: CryptoImplementation): CryptoSuite => ({ engine: getWasmCrypto(), impl });

/** The noble engine with the given EC/AES implementation. */
export const nobleSuiteOf = (impl: CryptoImplementation): CryptoSuite => ({ engine: getNobleCrypto(), impl });
