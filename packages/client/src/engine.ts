import { getNobleCrypto, getOffcodeCrypto, type OffcodeCrypto } from '@offcode/crypto-wasm';
import { OffcodeClientError } from './errors.js';

/** Which crypto-engine backend the token uses: `auto` = wasm when WebAssembly works, else noble. */
export type EngineChoice = 'auto' | 'wasm' | 'noble' | OffcodeCrypto;

/**
 * Resolves the engine once per token. `auto` falls back to the pure-JS noble backend when WebAssembly is
 * missing (Hermes) or the embedded module does not instantiate (CSP without `wasm-unsafe-eval`).
 */
export function resolveEngine(choice: EngineChoice = 'auto'): OffcodeCrypto {
  if (typeof choice === 'object' && choice !== null) return choice;
  if (choice !== 'auto' && choice !== 'wasm' && choice !== 'noble') {
    throw new OffcodeClientError('INVALID_INPUT', 'crypto must be "auto", "wasm" or "noble"');
  }
  try {
    const engine = getOffcodeCrypto(choice);
    if (choice === 'auto' && engine.backend === 'wasm') engine.sha256(new Uint8Array(0)); // instantiates now
    return engine;
  } catch (e) {
    if (choice === 'auto') {
      try {
        return getNobleCrypto();
      } catch (e2) {
        throw new OffcodeClientError('CRYPTO_UNAVAILABLE', 'the crypto engine failed to initialise', {
          cause: e2,
        });
      }
    }
    throw new OffcodeClientError('CRYPTO_UNAVAILABLE', `the ${choice} crypto engine failed to initialise`, {
      cause: e,
    });
  }
}
