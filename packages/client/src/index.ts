/**
 * @offcode/client: the platform-neutral mobile-token core (no Node built-ins; file storage lives in
 * `@offcode/client/node`).
 */
export { type ClientErrorCode, OffcodeClientError } from './errors.js';
export {
  type KnowledgeKeyScheme,
  PIN_MAX_LENGTH,
  PIN_MIN_LENGTH,
  type WrappedKnowledgeKey,
} from './pin.js';
export type { RandomSource } from './random.js';
export {
  type ActivationStatus,
  type BiometryKeyState,
  type Protocol,
  TOKEN_STATE_FORMAT,
  type TokenState,
  type TokenStatus,
} from './state.js';
export { DEFAULT_TOKEN_KEY, type KeyValueStorage, KeyValueTokenStore } from './stores/key-value.js';
export { MemoryTokenStore } from './stores/memory.js';
export type { TokenStore } from './stores/types.js';
