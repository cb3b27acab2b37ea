/** The crypto suite of test code that is neither the server under test nor a simulated device. */

import { createWasmCrypto } from '@offcode/crypto-wasm/wasm';
import type { CryptoSuite } from '@offcode/protocol';

export const SUITE: CryptoSuite = { engine: createWasmCrypto(), impl: 'auto' };
export const suiteOf = (impl: CryptoSuite['impl']): CryptoSuite => ({ engine: SUITE.engine, impl });
