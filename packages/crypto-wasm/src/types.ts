import type { ProtocolVersion } from './versions.js';

export type { ProtocolVersion } from './versions.js';

/** Factor types (crypto.md 3.1); key order is always possession, knowledge, biometry. */
export type FactorType =
  | 'possession'
  | 'knowledge'
  | 'biometry'
  | 'possession_knowledge'
  | 'possession_biometry'
  | 'possession_knowledge_biometry';

/** The two-component types accepted offline (crypto.md 3.1). */
export type OfflineFactorType = 'possession_knowledge' | 'possession_biometry';

export type BackendName = 'wasm' | 'noble';

export interface KmacOptions {
  /** Customization string S (UTF-8 text or bytes). Default empty. */
  customization?: string | Uint8Array;
  /** Output length in bytes (L = 8 * dkLen). Default 32. */
  dkLen?: number;
}

export interface ComputeInput {
  protocol: ProtocolVersion;
  /** 1..3 factor keys in possession, knowledge, biometry order (16 B for V3, 32 B for V4). */
  keys: readonly Uint8Array[];
  /** CTR_DATA: 16 B (V3) or 32 B (V4). */
  counter: Uint8Array;
  /** DATA bytes as authenticated (for offline codes: the normalized data including "&offline"). */
  data: Uint8Array;
}

export interface AuthCodeInput extends ComputeInput {
  /** `decimal` (offline, default) or `base64` (the online form, for debugging only). */
  format?: 'decimal' | 'base64';
  /** Digits per component for the decimal form, 4..8 (default 8). */
  length?: number;
}

export interface OfflineCodeSearch {
  protocol: ProtocolVersion;
  /** KEY_SIGNATURE_POSSESSION / KEY_AUTHENTICATION_CODE_POSSESSION. */
  possessionKey: Uint8Array;
  /** The second factors to try at every position, in this order (1 or 2 entries, distinct types). */
  factors: readonly { type: OfflineFactorType; key: Uint8Array }[];
  /** The stored CTR_DATA: the next value the token is expected to use. */
  counter: Uint8Array;
  /** Lookahead window W, 1..64. */
  window: number;
  /** DATA candidate(s), tried in order (one per proximity TOTP candidate). 1..16 entries. */
  data: Uint8Array | readonly Uint8Array[];
  /** The typed code, `^[0-9]{L}-[0-9]{L}$`. */
  code: string;
  /** Expected digits per component; when given, a code of another length is refused. */
  length?: number;
}

export type OfflineCodeSearchResult =
  | {
      match: true;
      /** Index of the DATA candidate that matched. */
      candidate: number;
      /** k: the code was computed with next^k(counter). */
      position: number;
      type: OfflineFactorType;
      /** next^(k+1)(counter): the CTR_DATA to store. */
      nextCounter: Uint8Array;
      /** k + 1: how much the numeric counter advances. */
      counterIncrement: number;
    }
  | { match: false };

/** Everything the crypto core offers, identical for every backend. */
export interface OffcodeCrypto {
  readonly backend: BackendName;
  sha256(data: Uint8Array): Uint8Array;
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  sha3_256(data: Uint8Array): Uint8Array;
  kmac256(key: Uint8Array, data: Uint8Array, options?: KmacOptions): Uint8Array;
  /** The raw 32-byte code components (crypto.md 3.2 and 5). */
  computeCodeComponents(input: ComputeInput): Uint8Array[];
  /** A formatted code: decimal `12345678-87654321` (offline) or the online Base64 form. */
  computeAuthCode(input: AuthCodeInput): string;
  /** The hash-based counter step: V3 xor-fold SHA-256 (16 B), V4 SHA3-256 (32 B). */
  nextCounter(protocol: ProtocolVersion, counter: Uint8Array): Uint8Array;
  /** Searches the whole lookahead window for a typed offline code in one call (crypto.md 8). */
  searchOfflineCode(input: OfflineCodeSearch): OfflineCodeSearchResult;
}

/** The methods every engine has (wrappers, e.g. an instrumented engine in tests, forward exactly these). */
export type OffcodeCryptoMethod = Exclude<keyof OffcodeCrypto, 'backend'>;
