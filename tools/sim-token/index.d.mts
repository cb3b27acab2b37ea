import type { CryptoSuite, OfflinePayload, ProtocolVersion } from '@offcode/protocol';

export type DeviceFactor = 'possession_knowledge' | 'possession_biometry';

export interface ExchangeAnswer {
  activationId: string;
  protocolVersion?: ProtocolVersion;
  serverPublicKey: string;
  ctrData: string;
  masterPublicKey?: string;
  offlineComponentLength?: number;
}

export interface CodeOptions {
  factor?: DeviceFactor;
  /** Counter values wasted first (codes computed but never typed). */
  skip?: number;
  /** A wrong knowledge key (a wrong PIN). */
  wrongPin?: boolean;
  length?: number;
}

/** The devices' own crypto: a wasm engine instance of their own. */
export declare const DEVICE_SUITE: CryptoSuite;

export declare class SimulatedDevice {
  readonly protocol: ProtocolVersion;
  readonly suite: CryptoSuite;
  activationId: string;
  possession: Uint8Array;
  knowledge: Uint8Array;
  biometry: Uint8Array;
  macKey: Uint8Array | null;
  serverPublicKey: Uint8Array;
  masterPublicKey: Uint8Array;
  ctr: Uint8Array;
  componentLength: number;
  constructor(protocol: ProtocolVersion, suite?: CryptoSuite);
  /** The exchange request; `compressed` sends the SEC1 compressed point (as the PowerAuth SDKs do). */
  exchangeRequest(
    activationCode: string,
    extra?: Record<string, unknown>,
    compressed?: boolean,
  ): Record<string, unknown>;
  /** Derives the factor keys from the exchange answer (device side of crypto.md 2 / 4). */
  complete(answer: ExchangeAnswer): void;
  /** Parses a QR text and checks its signature/MAC with the keys the device has; throws if it fails. */
  readPayload(offlineData: string, masterPublicKey?: Uint8Array): OfflinePayload;
  payloadVerifies(offlineData: string): boolean;
  /** The code with the current counter; the counter then moves on (as the token persists it first). */
  computeCode(payload: OfflinePayload, options?: CodeOptions): string;
  /** The web app's verify request for a payload and a typed code. */
  verifyRequest(
    payload: OfflinePayload,
    code: string,
    extra?: Record<string, unknown>,
  ): Record<string, unknown>;
  /** The verify request for a payload text, with a code computed now (the benchmarks' form). */
  verifyRequest(offlineData: string, options?: CodeOptions): Record<string, unknown>;
}
