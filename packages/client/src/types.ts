/** The public option and result types of `OffcodeToken` (client.md §3). */
import type { OfflinePayload } from '@offcode/protocol';
import type { EngineChoice } from './engine.js';
import type { FetchLike } from './http.js';
import type { RandomSource } from './random.js';
import type { Protocol } from './state.js';
import type { TokenStore } from './stores/types.js';

/** Platform keystore behind a biometric prompt (client.md §2.4). */
export interface BiometryKeyStore {
  /** Stores the key and returns an opaque reference kept in the token state. */
  save(key: Uint8Array): Promise<string>;
  /** Shows the prompt; `null` when cancelled or not enrolled. */
  unlock(ref: string, prompt: string): Promise<Uint8Array | null>;
  remove(ref: string): Promise<void>;
}

export interface OffcodeTokenOptions {
  store: TokenStore;
  /** HTTP client (default `globalThis.fetch`); inject for tests or TLS pinning. */
  fetch?: FetchLike;
  /** CSPRNG (default `crypto.getRandomValues`). */
  random?: RandomSource;
  /** Crypto-engine backend (default `auto`: wasm, else noble). */
  crypto?: EngineChoice;
  /** Platform keystore for the biometry key; without one the key is kept in the state (`protection: none`). */
  biometryKeyStore?: BiometryKeyStore;
  /** Network timeout for every server call (default 15 000 ms). */
  timeoutMs?: number;
  /**
   * Clock for `createdAt` / `updatedAt` / `statusCheckedAt` and, shifted by the server time of the
   * keystore answer, for PowerAuth ECIES timestamps.
   */
  now?: () => Date;
  /**
   * Called after the advanced counter is durable and before `approve` returns the code (auditing, UI,
   * crash tests). If it throws, the code is not returned, the counter value stays consumed.
   */
  afterCounterPersisted?: (counter: number) => void | Promise<void>;
}

/**
 * How the token enrols (client.md §3.1): `powerauth` = PowerAuth 3.3 keystore + activation/create over
 * ECIES (V3 only, what the PowerAuth mobile SDK does); `plain` = Offcode's own exchange (V3 and V4).
 */
export type KeyExchangeMechanism = 'plain' | 'powerauth';

/** What the PowerAuth mobile SDK sends about the device (layer 2 of activation/create). */
export interface DeviceDescription {
  activationName?: string;
  platform?: string;
  deviceInfo?: string;
}

export interface ActivateInput {
  serverUrl: string;
  /**
   * The application name (plain: server-checked, required). PowerAuth identifies the application by its
   * key; the name is then optional and defaults to `applicationKey`.
   */
  applicationId?: string;
  /** `CODE` or, PowerAuth only, `CODE#signature` (the QR form; the signature is checked with the master key). */
  activationCode: string;
  pin: string;
  protocol?: Protocol;
  enableBiometry?: boolean;
  /**
   * Pinned application master public key (Base64 or bytes); must equal the server's answer (plain) or
   * verifies the keystore answer and the activation-code signature (PowerAuth, required).
   */
  masterPublicKey?: string | Uint8Array;
  /** Default: `powerauth` when `applicationKey` or `mobileSdkConfig` is given, else `plain`. */
  mechanism?: KeyExchangeMechanism;
  /** PowerAuth: APP_KEY, Base64 text of 16 bytes. */
  applicationKey?: string;
  /** PowerAuth: APP_SECRET, Base64 text of 16 bytes. */
  applicationSecret?: string;
  /**
   * PowerAuth: the mobile SDK 1.8+ configuration string (application detail `versions[].mobileSdkConfig`,
   * activation.md 11) instead of `applicationKey`, `applicationSecret` and `masterPublicKey` (key 1);
   * implies mechanism `powerauth` and protocol 3. Giving it with any of the three is INVALID_INPUT.
   */
  mobileSdkConfig?: string;
  /** PowerAuth: the device description sent to the server (omitted members are not sent). */
  device?: DeviceDescription;
}

export type ApprovalMethod = 'pin' | 'biometry';

export interface ScannedOperation {
  /** The verified payload (payload.md §5.1). */
  readonly payload: OfflinePayload;
  /** `pin` always; `biometry` only with flag B and a biometry key. */
  readonly allowed: readonly ApprovalMethod[];
}

export type ApproveAuth = { pin: string } | { biometry: true };

export interface ApproveOptions {
  /** Must equal the verifier's uriId (default `/operation/authorize/offline`). */
  uriId?: string;
  /** Digits per group for this code, 4..8 (default: the activation's `componentLength`). */
  componentLength?: number;
  /** Text of the biometric prompt (platform keystore only). */
  biometryPrompt?: string;
}

export interface ApprovalResult {
  /** `12345678-90123456` (groups of `componentLength` digits): what the user types. */
  code: string;
  /** Presentation form (`1234-5678-9012-3456` for 8-digit groups). */
  display: string;
  /** Codes computed so far, including this one. */
  counter: number;
}

export interface StatusOptions {
  /**
   * Refresh from the server first: `POST {serverUrl}/pa/v3/activation/status` (PowerAuth-enrolled tokens,
   * encrypted status blob, counter resynchronisation) or `POST {serverUrl}/rest/v3/activation/status` (plain).
   */
  remote?: boolean;
  /** Plain only: HTTP Basic credentials when the server requires integration credentials (server.md §1.5). */
  credentials?: { username: string; password: string };
}

export interface RemoveOptions {
  /** Text of the biometric prompt (platform keystore only). */
  biometryPrompt?: string;
}
