/**
 * `@offcode/crypto-wasm/internal`: NOT a public API. Building blocks shared with the sibling Offcode packages
 * so that they exist once (the strict Base64 codec, the code-engine parameters per protocol version). They
 * may change in any release; applications use @offcode/protocol, which publishes them.
 */
export { encodeBase64, tryDecodeBase64Strict } from './base64.js';
export { CODE_PARAMETERS, type CodeParameters, isProtocolVersion } from './versions.js';
