/** PowerAuth V4 key derivation (crypto.md 4): KMAC256 KDF with `PA4KDF:` labels over ECDH P-384. */
import { ProtocolError } from '../errors.js';
import { type CryptoSuite, checkSuite } from '../suite.js';
import { ecdh } from './ec.js';

/** KDF labels of the V4 key tree (crypto.md 4.3). */
export const V4_LABELS = {
  activationSecret: 'shared-secret/ec-p384',
  kdkAuthenticationCode: 'auth',
  possession: 'auth/possession',
  knowledge: 'auth/knowledge',
  biometry: 'auth/biometry',
  kdkUtility: 'util',
  macPersonalizedData: 'util/mac/personalized-data',
  macCtrData: 'util/mac/ctr-data',
} as const;

export interface V4Keys {
  /** KEY_AUTHENTICATION_CODE_POSSESSION. */
  possession: Uint8Array;
  /** KEY_AUTHENTICATION_CODE_KNOWLEDGE. */
  knowledge: Uint8Array;
  /** KEY_AUTHENTICATION_CODE_BIOMETRY. */
  biometry: Uint8Array;
  /** KEY_MAC_PERSONALIZED_DATA (key type 2 payload MAC). */
  macPersonalizedData: Uint8Array;
  /** KEY_MAC_CTR_DATA (optional counter hash). */
  macCtrData: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/**
 * KDF(key, label, X = diversifier, len) = KMAC256(K = key, X, L = 8·len, S = "PA4KDF:" + label).
 * `length` is the output size in bytes (default 32); a shorter output is not a prefix of a longer one.
 */
export function kdfV4(
  suite: CryptoSuite,
  key: Uint8Array,
  label: string,
  opts: { diversifier?: Uint8Array; length?: number } = {},
): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length === 0) {
    throw new ProtocolError('INVALID_KEY', 'key', 'must be a non-empty Uint8Array');
  }
  if (typeof label !== 'string' || label.length === 0) {
    throw new ProtocolError('INVALID_ARGUMENT', 'label', 'must be a non-empty string');
  }
  const diversifier = opts.diversifier ?? EMPTY;
  if (!(diversifier instanceof Uint8Array)) {
    throw new ProtocolError('INVALID_ARGUMENT', 'diversifier', 'must be a Uint8Array');
  }
  const length = opts.length ?? 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    throw new ProtocolError('INVALID_ARGUMENT', 'length', 'must be an integer from 1 to 4096');
  }
  return checkSuite(suite).engine.kmac256(key, diversifier, {
    customization: `PA4KDF:${label}`,
    dkLen: length,
  });
}

/** KEY_ACTIVATION_SECRET = KDF(Z, "shared-secret/ec-p384") with Z = ECDH_P384(private, public) (48 bytes); 32 bytes. */
export function deriveActivationSecretV4(
  suite: CryptoSuite,
  privateKey: Uint8Array,
  publicKey: Uint8Array,
): Uint8Array {
  const z = ecdh(suite, 'P-384', privateKey, publicKey);
  try {
    return kdfV4(suite, z, V4_LABELS.activationSecret);
  } finally {
    z.fill(0);
  }
}

/** The V4 factor and MAC keys derived from KEY_ACTIVATION_SECRET through the two KDKs. */
export function deriveKeysV4(suite: CryptoSuite, activationSecret: Uint8Array): V4Keys {
  if (!(activationSecret instanceof Uint8Array) || activationSecret.length !== 32) {
    throw new ProtocolError('INVALID_KEY', 'activationSecret', 'must be 32 bytes');
  }
  const auth = kdfV4(suite, activationSecret, V4_LABELS.kdkAuthenticationCode);
  const util = kdfV4(suite, activationSecret, V4_LABELS.kdkUtility);
  const keys = {
    possession: kdfV4(suite, auth, V4_LABELS.possession),
    knowledge: kdfV4(suite, auth, V4_LABELS.knowledge),
    biometry: kdfV4(suite, auth, V4_LABELS.biometry),
    macPersonalizedData: kdfV4(suite, util, V4_LABELS.macPersonalizedData),
    macCtrData: kdfV4(suite, util, V4_LABELS.macCtrData),
  };
  auth.fill(0);
  util.fill(0);
  return keys;
}
