// A simulated mobile token for the benchmarks, built only from @offcode/protocol and @offcode/crypto-wasm (no
// server code): answers the plain key exchange and computes codes in counter order, on its own crypto suite.
import {
  createCryptoSuite,
  decodeBase64Strict,
  deriveActivationSecretV4,
  deriveKeysV3,
  deriveKeysV4,
  deriveMasterSecretV3,
  encodeBase64,
  generateKeyPair,
  normalizedDataForPayload,
  PROTOCOL_PARAMETERS,
  parseOfflinePayloadOrThrow,
  verifyRequestDataForPayload,
} from '@offcode/protocol';

export class SimulatedToken {
  /** `suite`: the token's crypto (default: wasm where it runs, node:crypto EC where present). */
  constructor(protocol, suite = createCryptoSuite()) {
    this.protocol = protocol;
    this.suite = suite;
    this.pair = generateKeyPair(suite, PROTOCOL_PARAMETERS[protocol].curve);
  }

  exchangeRequest(activationCode) {
    return {
      activationCode,
      protocolVersion: this.protocol,
      devicePublicKey: encodeBase64(this.pair.publicKey),
    };
  }

  complete(answer) {
    this.activationId = answer.activationId;
    this.counter = decodeBase64Strict(answer.ctrData);
    const server = decodeBase64Strict(answer.serverPublicKey);
    const suite = this.suite;
    this.keys =
      this.protocol === 3
        ? deriveKeysV3(suite, deriveMasterSecretV3(suite, this.pair.privateKey, server))
        : deriveKeysV4(suite, deriveActivationSecretV4(suite, this.pair.privateKey, server));
  }

  /**
   * The code for a parsed payload with the current counter; the counter then moves on (as the token persists
   * it before showing the code). `skip` wastes that many counter values first (codes never typed, so the server
   * finds this one at position `skip`); `wrongKnowledge` uses a wrong knowledge key (a wrong PIN).
   */
  code(payload, { skip = 0, wrongKnowledge = false } = {}) {
    const engine = this.suite.engine;
    for (let i = 0; i < skip; i++) this.counter = engine.nextCounter(this.protocol, this.counter);
    const knowledge = wrongKnowledge ? this.keys.knowledge.map((b) => b ^ 1) : this.keys.knowledge;
    const code = engine.computeAuthCode({
      protocol: this.protocol,
      keys: [this.keys.possession, knowledge],
      counter: this.counter,
      data: normalizedDataForPayload(payload),
    });
    this.counter = engine.nextCounter(this.protocol, this.counter);
    return code;
  }

  /** The verify request body (PowerAuth shape) for an offline payload text, with a code from `code()`. */
  verifyRequest(offlineData, options) {
    const payload = parseOfflinePayloadOrThrow(offlineData);
    return {
      activationId: this.activationId,
      data: verifyRequestDataForPayload(payload),
      [this.protocol === 3 ? 'signature' : 'authenticationCode']: this.code(payload, options),
    };
  }
}
