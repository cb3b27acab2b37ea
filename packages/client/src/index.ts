/**
 * @offcode/client: the platform-neutral mobile-token core (no Node built-ins; file storage lives in
 * `@offcode/client/node`, state-file helpers for simulators and tests in `@offcode/client/internal`).
 */

export { normalizeActivationCode } from './activation-code.js';
export type { EngineChoice } from './engine.js';
export { type ClientErrorCode, OffcodeClientError } from './errors.js';
export type { FetchLike } from './http.js';
export { PIN_MAX_LENGTH, PIN_MIN_LENGTH } from './pin.js';
export type { RandomSource } from './random.js';
export type {
  ActivationStatus,
  CounterSync,
  PowerAuthStatusDetails,
  Protocol,
  TokenStatus,
} from './state.js';
export { DEFAULT_TOKEN_KEY, type KeyValueStorage, KeyValueTokenStore } from './stores/key-value.js';
export { MemoryTokenStore } from './stores/memory.js';
export type { TokenStore } from './stores/types.js';
export { OffcodeToken } from './token.js';
export type {
  ActivateInput,
  ApprovalMethod,
  ApprovalResult,
  ApproveAuth,
  ApproveOptions,
  BiometryKeyStore,
  DeviceDescription,
  KeyExchangeMechanism,
  OffcodeTokenOptions,
  RemoveOptions,
  ScannedOperation,
  StatusOptions,
} from './types.js';
