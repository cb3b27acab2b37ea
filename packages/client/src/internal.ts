/**
 * `@offcode/client/internal`: the token state document and the knowledge-key wrapping, for simulators and
 * tests that hand-build state files (client.md §7). Not a stable API: it follows the state format.
 */
export { encodeActivationCode } from './activation-code.js';
export {
  type KnowledgeKeyScheme,
  unwrapKnowledgeKey,
  type WrappedKnowledgeKey,
  wrapKnowledgeKey,
} from './pin.js';
export {
  type BiometryKeyState,
  type PowerAuthState,
  parseState,
  serializeState,
  TOKEN_STATE_FORMAT,
  type TokenState,
  toStatus,
} from './state.js';
