/**
 * The one protocol-version type of Offcode. It lives here, in the lowest package that needs it; every other
 * package imports it from here (@offcode/protocol re-exports it beside its full `PROTOCOL_PARAMETERS`
 * table, which takes the code-engine sizes below).
 */
export type ProtocolVersion = 3 | 4;

/** What the code engine needs per protocol version (crypto.md 2.3, 3, 4.4, 5). */
export interface CodeParameters {
  /** Size of each factor key (KEY_SIGNATURE_* / KEY_AUTHENTICATION_CODE_*). */
  readonly factorKeyBytes: number;
  /** Size of CTR_DATA. */
  readonly counterBytes: number;
  /** MAC of the code chain. */
  readonly codeMac: 'HMAC-SHA256' | 'KMAC256';
  /** next(CTR_DATA): xor-folded SHA-256 (V3) or SHA3-256 (V4). */
  readonly counterHash: 'SHA-256/xor-fold' | 'SHA3-256';
  /** Bytes of each 32-byte component the online Base64 form keeps (its last ones): V3 16, V4 all 32. */
  readonly onlineComponentBytes: number;
}

export const CODE_PARAMETERS: Readonly<Record<ProtocolVersion, CodeParameters>> = Object.freeze({
  3: Object.freeze({
    factorKeyBytes: 16,
    counterBytes: 16,
    codeMac: 'HMAC-SHA256',
    counterHash: 'SHA-256/xor-fold',
    onlineComponentBytes: 16,
  }),
  4: Object.freeze({
    factorKeyBytes: 32,
    counterBytes: 32,
    codeMac: 'KMAC256',
    counterHash: 'SHA3-256',
    onlineComponentBytes: 32,
  }),
} as const);

/** True for a known protocol version (3 or 4). */
export const isProtocolVersion = (value: unknown): value is ProtocolVersion => value === 3 || value === 4;
