/**
 * One table of protocol parameters per PowerAuth protocol version: every package reads sizes, curve, key
 * types and algorithm families from here instead of branching on the version number. The version type
 * itself (`ProtocolVersion`) lives in @offcode/crypto-wasm, the lowest package that needs it; the code-engine
 * sizes come from there too, so each value exists once.
 */
import type { ProtocolVersion } from '@offcode/crypto-wasm';
import { CODE_PARAMETERS, type CodeParameters, isProtocolVersion } from '@offcode/crypto-wasm/internal';
import { ProtocolError } from './errors.js';
import type { Curve } from './keys/curves.js';
import type { KeyType } from './payload/types.js';

export type { ProtocolVersion } from '@offcode/crypto-wasm';

export interface ProtocolParameters extends CodeParameters {
  readonly version: ProtocolVersion;
  /** EC curve of every key pair (device, server, application master key). */
  readonly curve: Curve;
  /** ECDSA digest on that curve (payload signatures, crypto.md 7.2). */
  readonly ecdsaHash: 'SHA-256' | 'SHA-384';
  /** Master key algorithm name as PowerAuth stores it. */
  readonly masterKeyAlgorithm: 'EC_P256' | 'EC_P384';
  /** Private scalar size. */
  readonly privateKeyBytes: number;
  /** Uncompressed SEC1 point size (`04 || X || Y`). */
  readonly publicKeyBytes: number;
  /** Compressed SEC1 point size (`02/03 || X`). */
  readonly compressedPublicKeyBytes: number;
  /** Key derivation family: V3 AES-128 index KDF over the xor-folded ECDH value, V4 KMAC256 `PA4KDF:`. */
  readonly kdf: 'AES-128-INDEX' | 'KMAC256';
  /** Size of the root secret the factor keys derive from (KEY_MASTER_SECRET / KEY_ACTIVATION_SECRET). */
  readonly rootSecretBytes: number;
  /** Payload key type of a non-personalized payload (the application master key signs). */
  readonly nonPersonalizedKeyType: KeyType;
  /** Payload key type of a personalized payload: V3 ECDSA with KEY_SERVER_PRIVATE, V4 KMAC256 MAC. */
  readonly personalizedKeyType: KeyType;
  /** Every key type a token of this version accepts. */
  readonly validKeyTypes: readonly KeyType[];
}

const V3: ProtocolParameters = Object.freeze({
  version: 3,
  ...CODE_PARAMETERS[3],
  curve: 'P-256',
  ecdsaHash: 'SHA-256',
  masterKeyAlgorithm: 'EC_P256',
  privateKeyBytes: 32,
  publicKeyBytes: 65,
  compressedPublicKeyBytes: 33,
  kdf: 'AES-128-INDEX',
  rootSecretBytes: 16,
  nonPersonalizedKeyType: 0,
  personalizedKeyType: 1,
  validKeyTypes: Object.freeze([0, 1] as KeyType[]),
} as const);

const V4: ProtocolParameters = Object.freeze({
  version: 4,
  ...CODE_PARAMETERS[4],
  curve: 'P-384',
  ecdsaHash: 'SHA-384',
  masterKeyAlgorithm: 'EC_P384',
  privateKeyBytes: 48,
  publicKeyBytes: 97,
  compressedPublicKeyBytes: 49,
  kdf: 'KMAC256',
  rootSecretBytes: 32,
  nonPersonalizedKeyType: 0,
  personalizedKeyType: 2,
  validKeyTypes: Object.freeze([0, 2] as KeyType[]),
} as const);

/** The parameters of each protocol version (crypto.md 1-7). */
export const PROTOCOL_PARAMETERS: Readonly<Record<ProtocolVersion, ProtocolParameters>> = Object.freeze({
  3: V3,
  4: V4,
});

/** Every supported version, oldest first. */
export const PROTOCOL_VERSIONS: readonly ProtocolVersion[] = Object.freeze([3, 4] as ProtocolVersion[]);

/** The version itself, or `ProtocolError` `INVALID_ARGUMENT` naming `field` (anything but the numbers 3 and 4). */
export function checkProtocolVersion(value: unknown, field = 'protocol'): ProtocolVersion {
  if (!isProtocolVersion(value)) throw new ProtocolError('INVALID_ARGUMENT', field, 'must be 3 or 4');
  return value;
}

/** The parameters of a version (validated: `ProtocolError` for anything but 3 and 4). */
export function protocolParameters(version: unknown, field = 'protocol'): ProtocolParameters {
  return PROTOCOL_PARAMETERS[checkProtocolVersion(version, field)];
}

/** The version whose curve is `curve`. */
export function versionOfCurve(curve: Curve): ProtocolVersion {
  const version = PROTOCOL_VERSIONS.find((v) => PROTOCOL_PARAMETERS[v].curve === curve);
  if (version === undefined)
    throw new ProtocolError('INVALID_ARGUMENT', 'curve', 'must be "P-256" or "P-384"');
  return version;
}
