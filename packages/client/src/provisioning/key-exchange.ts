/**
 * The key-exchange seam of activation (client.md §3.1): one mechanism per way of enrolling. A mechanism
 * carries the device public key to the server and brings back the server's public values; validation of
 * the common input, key derivation, PIN wrapping and the state write are the same for every mechanism.
 */
import type { CryptoSuite } from '@offcode/protocol';
import type { FetchLike } from '../http.js';
import type { RandomSource } from '../random.js';
import type { PowerAuthState, Protocol } from '../state.js';
import type { KeyExchangeMechanism } from '../types.js';
import type { ActivationKeys } from './keys.js';

/** What a mechanism may use: the token's suite, transport, randomness and clock. */
export interface ExchangeContext {
  readonly suite: CryptoSuite;
  readonly fetch: FetchLike;
  readonly random: RandomSource;
  readonly timeoutMs: number;
  readonly now: () => Date;
}

/** The device key pair of the activation; `publicKey` uncompressed. Zeroed by the caller. */
export interface DeviceKeyPair {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

/** The server's answer, validated: public values only (points uncompressed). */
export interface ExchangedActivation {
  activationId: string;
  activationStatus: 'PENDING_COMMIT' | 'ACTIVE';
  /** False when the mechanism's answer does not say (PowerAuth): the token reads the status next. */
  statusKnown: boolean;
  serverPublicKey: Uint8Array;
  masterPublicKey: Uint8Array;
  ctrData: Uint8Array;
  componentLength: number;
}

export interface KeyExchange {
  readonly mechanism: KeyExchangeMechanism;
  readonly protocol: Protocol;
  /** One exchange with the server; spends the activation code. Errors are OffcodeClientErrors. */
  exchange(ctx: ExchangeContext, device: DeviceKeyPair): Promise<ExchangedActivation>;
  /** What the mechanism keeps in the token state (copies; the keys are zeroed after activation). */
  tokenState(keys: ActivationKeys): PowerAuthState | null;
}
