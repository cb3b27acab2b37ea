/**
 * A token simulated only with @offcode/protocol and @offcode/crypto-wasm (no server code): key pair, key
 * exchange request, key derivation from the exchange answer, payload signature check, code computation
 * with the hash-based counter, and the web app's verify request data.
 */
import { createWasmCrypto } from '@offcode/crypto-wasm/wasm';
import {
  type CryptoSuite,
  compressPublicKey,
  decodeBase64Strict,
  deriveActivationSecretV4,
  deriveKeysV3,
  deriveKeysV4,
  deriveMasterSecretV3,
  encodeBase64,
  generateKeyPair,
  normalizedDataForPayload,
  type OfflinePayload,
  PROTOCOL_PARAMETERS,
  type ProtocolVersion,
  parseOfflinePayloadOrThrow,
  verifyOfflinePayloadSignature,
  verifyRequestDataForPayload,
} from '@offcode/protocol';

export type DeviceFactor = 'possession_knowledge' | 'possession_biometry';

/**
 * The devices' own crypto: a wasm engine instance of their own (not the process-wide one a server may use),
 * so a test can tell the server's crypto calls from the device's.
 */
export const DEVICE_SUITE: CryptoSuite = { engine: createWasmCrypto(), impl: 'auto' };

export interface ExchangeAnswer {
  activationId: string;
  protocolVersion: ProtocolVersion;
  serverPublicKey: string;
  ctrData: string;
  masterPublicKey: string;
  offlineComponentLength: number;
}

export class SimulatedDevice {
  readonly protocol: ProtocolVersion;
  readonly suite: CryptoSuite;
  readonly #keyPair: { privateKey: Uint8Array; publicKey: Uint8Array };
  activationId = '';
  possession: Uint8Array = new Uint8Array(0);
  knowledge: Uint8Array = new Uint8Array(0);
  biometry: Uint8Array = new Uint8Array(0);
  macKey: Uint8Array | null = null;
  serverPublicKey: Uint8Array = new Uint8Array(0);
  masterPublicKey: Uint8Array = new Uint8Array(0);
  ctr: Uint8Array = new Uint8Array(0);
  componentLength = 8;

  constructor(protocol: ProtocolVersion, suite: CryptoSuite = DEVICE_SUITE) {
    this.protocol = protocol;
    this.suite = suite;
    this.#keyPair = generateKeyPair(suite, PROTOCOL_PARAMETERS[protocol].curve);
  }

  /** The exchange request; `compressed` sends the SEC1 compressed point (as the PowerAuth SDKs do). */
  exchangeRequest(
    activationCode: string,
    extra: Record<string, unknown> = {},
    compressed = false,
  ): Record<string, unknown> {
    const curve = PROTOCOL_PARAMETERS[this.protocol].curve;
    const pub = compressed ? compressPublicKey(curve, this.#keyPair.publicKey) : this.#keyPair.publicKey;
    return { activationCode, protocolVersion: this.protocol, devicePublicKey: encodeBase64(pub), ...extra };
  }

  /** Derives the factor keys from the exchange answer (device side of crypto.md 2 / 4). */
  complete(answer: ExchangeAnswer): void {
    this.activationId = answer.activationId;
    this.serverPublicKey = decodeBase64Strict(answer.serverPublicKey);
    this.masterPublicKey = decodeBase64Strict(answer.masterPublicKey);
    this.ctr = decodeBase64Strict(answer.ctrData);
    this.componentLength = answer.offlineComponentLength;
    if (this.protocol === 3) {
      const master = deriveMasterSecretV3(this.suite, this.#keyPair.privateKey, this.serverPublicKey);
      const keys = deriveKeysV3(this.suite, master);
      this.possession = keys.possession;
      this.knowledge = keys.knowledge;
      this.biometry = keys.biometry;
    } else {
      const secret = deriveActivationSecretV4(this.suite, this.#keyPair.privateKey, this.serverPublicKey);
      const keys = deriveKeysV4(this.suite, secret);
      this.possession = keys.possession;
      this.knowledge = keys.knowledge;
      this.biometry = keys.biometry;
      this.macKey = keys.macPersonalizedData;
    }
  }

  /** Parses a QR text and checks its signature/MAC with the keys the device has; throws if it fails. */
  readPayload(offlineData: string, masterPublicKey: Uint8Array = this.masterPublicKey): OfflinePayload {
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

  /** True when the payload's signature verifies (without throwing). */
  payloadVerifies(offlineData: string): boolean {
    try {
      this.readPayload(offlineData);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Computes the code for a payload with the current counter, then advances and keeps the counter (as the
   * token persists it before showing the code). `skip` wastes that many counter values first (codes computed
   * but never typed), `wrongPin` uses a wrong knowledge key.
   */
  computeCode(
    payload: OfflinePayload,
    options: { factor?: DeviceFactor; skip?: number; wrongPin?: boolean; length?: number } = {},
  ): string {
    for (let i = 0; i < (options.skip ?? 0); i++)
      this.ctr = this.suite.engine.nextCounter(this.protocol, this.ctr);
    const second =
      options.factor === 'possession_biometry'
        ? this.biometry
        : options.wrongPin
          ? this.knowledge.map((b) => b ^ 0x5a)
          : this.knowledge;
    const code = this.suite.engine.computeAuthCode({
      protocol: this.protocol,
      keys: [this.possession, second],
      counter: this.ctr,
      data: normalizedDataForPayload(payload),
      length: options.length ?? this.componentLength,
    });
    this.ctr = this.suite.engine.nextCounter(this.protocol, this.ctr);
    return code;
  }

  /** The web app's verify request for a payload and a typed code. */
  verifyRequest(
    payload: OfflinePayload,
    code: string,
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> {
    return {
      activationId: this.activationId,
      data: verifyRequestDataForPayload(payload),
      [this.protocol === 3 ? 'signature' : 'authenticationCode']: code,
      ...extra,
    };
  }
}
