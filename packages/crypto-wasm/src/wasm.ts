/** The WebAssembly backend: the process-wide instance (root entry) and fresh instances (`./wasm`). */
import { createOffcodeCrypto } from './engine.js';
import type { OffcodeCrypto } from './types.js';
import { createWasmBackend } from './wasm-backend.js';

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
