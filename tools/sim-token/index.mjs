// The one simulated mobile device of the repository's tests and benchmarks (the server's suites, the server
// and app benchmarks), built only from @offcode/protocol and @offcode/crypto-wasm (never from server code):
// key pair, plain key exchange request, key derivation from the answer, payload signature check, codes with
// the hash-based counter, and the web app's verify request. Types: index.d.mts.
import { createWasmCrypto } from '@offcode/crypto-wasm/wasm';
import {
  compressPublicKey,
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
  verifyOfflinePayloadSignature,
  verifyRequestDataForPayload,
} from '@offcode/protocol';

/**
 * The devices' own crypto: a wasm engine instance of their own (not the process-wide one a server may use),
 * so a test can tell the server's crypto calls from the device's.
 */
export const DEVICE_SUITE = { engine: createWasmCrypto(), impl: 'auto' };

const EMPTY = new Uint8Array(0);

export class SimulatedDevice {
  #keyPair;

  constructor(protocol, suite = DEVICE_SUITE) {
    this.protocol = protocol;
    this.suite = suite;
    this.#keyPair = generateKeyPair(suite, PROTOCOL_PARAMETERS[protocol].curve);
    this.activationId = '';
    this.possession = EMPTY;
    this.knowledge = EMPTY;
    this.biometry = EMPTY;
    this.macKey = null;
    this.serverPublicKey = EMPTY;
    this.masterPublicKey = EMPTY;
    this.ctr = EMPTY;
    this.componentLength = 8;
  }

  exchangeRequest(activationCode, extra = {}, compressed = false) {
    const curve = PROTOCOL_PARAMETERS[this.protocol].curve;
    const pub = compressed ? compressPublicKey(curve, this.#keyPair.publicKey) : this.#keyPair.publicKey;
    return { activationCode, protocolVersion: this.protocol, devicePublicKey: encodeBase64(pub), ...extra };
  }

  complete(answer) {
    this.activationId = answer.activationId;
    this.serverPublicKey = decodeBase64Strict(answer.serverPublicKey);
    if (answer.masterPublicKey) this.masterPublicKey = decodeBase64Strict(answer.masterPublicKey);
    this.ctr = decodeBase64Strict(answer.ctrData);
    if (answer.offlineComponentLength) this.componentLength = answer.offlineComponentLength;
    const s = this.suite;
    const keys =
      this.protocol === 3
        ? deriveKeysV3(s, deriveMasterSecretV3(s, this.#keyPair.privateKey, this.serverPublicKey))
        : deriveKeysV4(s, deriveActivationSecretV4(s, this.#keyPair.privateKey, this.serverPublicKey));
    this.possession = keys.possession;
    this.knowledge = keys.knowledge;
    this.biometry = keys.biometry;
    this.macKey = this.protocol === 4 ? keys.macPersonalizedData : null;
  }

  readPayload(offlineData, masterPublicKey = this.masterPublicKey) {
    const payload = parseOfflinePayloadOrThrow(offlineData);
    const ok = verifyOfflinePayloadSignature(this.suite, payload, {
      protocol: this.protocol,
      masterPublicKey,
      serverPublicKey: this.serverPublicKey,
      ...(this.macKey ? { macKey: this.macKey } : {}),
    });
    if (!ok) throw new Error('payload signature does not verify');
    return payload;
  }

  payloadVerifies(offlineData) {
    try {
      this.readPayload(offlineData);
      return true;
    } catch {
      return false;
    }
  }

  computeCode(payload, options = {}) {
    const engine = this.suite.engine;
    for (let i = 0; i < (options.skip ?? 0); i++) this.ctr = engine.nextCounter(this.protocol, this.ctr);
    const second =
      options.factor === 'possession_biometry'
        ? this.biometry
        : options.wrongPin
          ? this.knowledge.map((b) => b ^ 0x5a)
          : this.knowledge;
    const code = engine.computeAuthCode({
      protocol: this.protocol,
      keys: [this.possession, second],
      counter: this.ctr,
      data: normalizedDataForPayload(payload),
      length: options.length ?? this.componentLength,
    });
    this.ctr = engine.nextCounter(this.protocol, this.ctr);
    return code;
  }

  verifyRequest(payloadOrText, codeOrOptions, extra = {}) {
    if (typeof payloadOrText === 'string') {
      const payload = parseOfflinePayloadOrThrow(payloadOrText);
      return this.verifyRequest(payload, this.computeCode(payload, codeOrOptions ?? {}));
    }
    return {
      activationId: this.activationId,
      data: verifyRequestDataForPayload(payloadOrText),
      [this.protocol === 3 ? 'signature' : 'authenticationCode']: codeOrOptions,
      ...extra,
    };
  }
}
