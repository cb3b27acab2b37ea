import type { ProtocolVersion } from './versions.js';

/** What a backend implements; inputs are already validated by `createOffcodeCrypto`. */
export interface RawBackend {
  readonly name: 'wasm' | 'noble';
  sha256(data: Uint8Array): Uint8Array;
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  sha3_256(data: Uint8Array): Uint8Array;
  kmac256(key: Uint8Array, data: Uint8Array, customization: Uint8Array, dkLen: number): Uint8Array;
  components(
    protocol: ProtocolVersion,
    keys: readonly Uint8Array[],
    counter: Uint8Array,
    data: Uint8Array,
  ): Uint8Array[];
  next(protocol: ProtocolVersion, counter: Uint8Array): Uint8Array;
  /**
   * keys = [possession, second factor per type in order]; returns -1 or (i << 16) | (k << 8) | t and, on a
   * match, the next counter in `nextOut`. `modulus` = 10^L, s0/s1 the two typed integers.
   */
  search(
    protocol: ProtocolVersion,
    keys: readonly Uint8Array[],
    counter: Uint8Array,
    window: number,
    data: readonly Uint8Array[],
    modulus: number,
    s0: number,
    s1: number,
    nextOut: Uint8Array,
  ): number;
}
