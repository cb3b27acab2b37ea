/** PowerAuth V3 key derivation (crypto.md 2): ECDH P-256 + xor-fold, then the AES-128 KDF. */
import { ProtocolError } from '../errors.js';
import type { CryptoSuite } from '../suite.js';
import { aes128EncryptBlock } from './aes.js';
import { ecdh } from './ec.js';

/** KDF indices of the V3 keys (crypto.md 2.2). */
export const V3_KEY_INDEX = {
  possession: 1,
  knowledge: 2,
  biometry: 3,
  transport: 1000,
  vault: 2000,
} as const;

export interface V3Keys {
  /** KEY_SIGNATURE_POSSESSION (index 1). */
  possession: Uint8Array;
  /** KEY_SIGNATURE_KNOWLEDGE (index 2). */
  knowledge: Uint8Array;
  /** KEY_SIGNATURE_BIOMETRY (index 3). */
  biometry: Uint8Array;
  /** KEY_TRANSPORT (index 1000; not used offline). */
  transport: Uint8Array;
  /** KEY_ENCRYPTED_VAULT (index 2000; not used offline). */
  vault: Uint8Array;
}

/** `b[i] XOR b[i + half]`: halves a 32-byte value (never truncation, crypto.md trap 4). */
export function xorFold(bytes: Uint8Array): Uint8Array {
  const half = bytes.length >> 1;
  const out = new Uint8Array(half);
  for (let i = 0; i < half; i++) out[i] = bytes[i]! ^ bytes[i + half]!;
  return out;
}

/**
 * KEY_MASTER_SECRET (16 bytes) = xor-fold of the ECDH P-256 value. Device side: (device private, server
 * public); server side: (server private, device public). Java-style and compressed keys are accepted.
 */
export function deriveMasterSecretV3(
  suite: CryptoSuite,
  privateKey: Uint8Array,
  publicKey: Uint8Array,
): Uint8Array {
  return xorFold(ecdh(suite, 'P-256', privateKey, publicKey));
}

/** KDF(KEY_MASTER_SECRET, index) = AES-128-ECB(key, 0x00*8 || uint64_be(index)): index in the LAST 8 bytes. */
export function kdfV3(suite: CryptoSuite, masterSecret: Uint8Array, index: number | bigint): Uint8Array {
  if (!(masterSecret instanceof Uint8Array) || masterSecret.length !== 16) {
    throw new ProtocolError('INVALID_KEY', 'masterSecret', 'must be 16 bytes');
  }
  let i: bigint;
  if (typeof index === 'bigint') i = index;
  else if (typeof index === 'number' && Number.isSafeInteger(index)) i = BigInt(index);
  else throw new ProtocolError('INVALID_ARGUMENT', 'index', 'must be an integer');
  if (i < 0n || i >= 1n << 64n) throw new ProtocolError('INVALID_ARGUMENT', 'index', 'must be in 0..2^64-1');
  const block = new Uint8Array(16);
  new DataView(block.buffer).setBigUint64(8, i, false);
  return aes128EncryptBlock(suite, masterSecret, block);
}

/** The five V3 keys derived from KEY_MASTER_SECRET. */
export function deriveKeysV3(suite: CryptoSuite, masterSecret: Uint8Array): V3Keys {
  return {
    possession: kdfV3(suite, masterSecret, V3_KEY_INDEX.possession),
    knowledge: kdfV3(suite, masterSecret, V3_KEY_INDEX.knowledge),
    biometry: kdfV3(suite, masterSecret, V3_KEY_INDEX.biometry),
    transport: kdfV3(suite, masterSecret, V3_KEY_INDEX.transport),
    vault: kdfV3(suite, masterSecret, V3_KEY_INDEX.vault),
  };
}
