/**
 * @offcode/client: the platform-neutral mobile-token core (no Node built-ins; file storage lives in
 * `@offcode/client/node`).
 */

export { encodeActivationCode, normalizeActivationCode } from './activation-code.js';
export type { EngineChoice } from './engine.js';
export { type ClientErrorCode, OffcodeClientError } from './errors.js';
export type { FetchLike } from './http.js';
export {
  type KnowledgeKeyScheme,
  PIN_MAX_LENGTH,
  PIN_MIN_LENGTH,
  unwrapKnowledgeKey,
  type WrappedKnowledgeKey,
  wrapKnowledgeKey,
} from './pin.js';
export type { RandomSource } from './random.js';
export {
  type ActivationStatus,
  type BiometryKeyState,
  type Protocol,
  parseState,
  serializeState,
  TOKEN_STATE_FORMAT,
  type TokenState,
  type TokenStatus,
  toStatus,
} from './state.js';
export { DEFAULT_TOKEN_KEY, type KeyValueStorage, KeyValueTokenStore } from './stores/key-value.js';
export { MemoryTokenStore } from './stores/memory.js';
export type { TokenStore } from './stores/types.js';
export {
  type ActivateInput,
  type ApprovalMethod,
  type ApprovalResult,
  type ApproveAuth,
  type ApproveOptions,
  type BiometryKeyStore,
  OffcodeToken,
  type OffcodeTokenOptions,
  type ScannedOperation,
  type StatusOptions,
} from './token.js';
