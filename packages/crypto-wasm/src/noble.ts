/** The pure-JS backend (@noble/hashes). */
import { createOffcodeCrypto } from './engine.js';
import { createNobleBackend } from './noble-backend.js';
import type { OffcodeCrypto } from './types.js';

let instance: OffcodeCrypto | undefined;

/** The process-wide noble backend. */
export function getNobleCrypto(): OffcodeCrypto {
  instance ??= createOffcodeCrypto(createNobleBackend());
  return instance;
}
