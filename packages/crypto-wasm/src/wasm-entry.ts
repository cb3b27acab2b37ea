/**
 * `@offcode/crypto-wasm/wasm`: what only the WebAssembly backend has. `getWasmCrypto` (the process-wide
 * instance) lives in the root entry; both entries share one module instance (ESM only, shared chunks).
 */
export { WASM_SIZE } from './generated/wasm-bytes.js';
export { createWasmCrypto } from './wasm.js';
