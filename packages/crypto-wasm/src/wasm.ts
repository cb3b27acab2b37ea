/** The WebAssembly backend alone: `import { getWasmCrypto } from '@offcode/crypto-wasm/wasm'`. */
import { createOffcodeCrypto } from './engine.js';
import type { OffcodeCrypto } from './types.js';
import { createWasmBackend } from './wasm-backend.js';

export { OffcodeCryptoError } from './errors.js';
export { WASM_SIZE } from './generated/wasm-bytes.js';
export type * from './types.js';

let instance: OffcodeCrypto | undefined;

/** The process-wide wasm backend, instantiated synchronously on first use. */
export function getWasmCrypto(): OffcodeCrypto {
  instance ??= createOffcodeCrypto(createWasmBackend());
  return instance;
}

/** A fresh, independent wasm instance (its own linear memory). */
export function createWasmCrypto(): OffcodeCrypto {
  return createOffcodeCrypto(createWasmBackend());
}
