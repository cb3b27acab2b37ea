// A simulated mobile token for load generation, built only from @offcode/protocol and @offcode/crypto-wasm
// (no server code): activates through the REST key exchange and computes codes in counter order.
import { computeAuthCode, nextCounter } from '@offcode/crypto-wasm';
import {
  decodeBase64Strict,
  deriveActivationSecretV4,
  deriveKeysV3,
  deriveKeysV4,
  deriveMasterSecretV3,
  encodeBase64,
  generateKeyPair,
  normalizedDataForPayload,
  parseOfflinePayloadOrThrow,
  verifyRequestDataForPayload,
} from '@offcode/protocol';

export class SimulatedToken {
  constructor(protocol) {
    this.protocol = protocol;
    this.pair = generateKeyPair(protocol === 3 ? 'P-256' : 'P-384');
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
    this.keys =
      this.protocol === 3
        ? deriveKeysV3(deriveMasterSecretV3(this.pair.privateKey, server))
        : deriveKeysV4(deriveActivationSecretV4(this.pair.privateKey, server));
  }

  /** The verify request body (PowerAuth shape) for a payload, with the code of the current counter. */
  approve(offlineData) {
    const payload = parseOfflinePayloadOrThrow(offlineData);
    const code = computeAuthCode({
      protocol: this.protocol,
      keys: [this.keys.possession, this.keys.knowledge],
      counter: this.counter,
      data: normalizedDataForPayload(payload),
    });
    this.counter = nextCounter(this.protocol, this.counter);
    return {
      activationId: this.activationId,
      data: verifyRequestDataForPayload(payload),
      [this.protocol === 3 ? 'signature' : 'authenticationCode']: code,
    };
  }
}
