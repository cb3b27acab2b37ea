/**
 * AES-128-CBC for ECIES (PKCS#7) and the status blob (no padding), on node:crypto or @noble/ciphers as the
 * suite's `impl` says. Decryption failures become `ProtocolError`; callers verify the MAC first, so a
 * padding error never reaches an attacker as an oracle.
 */
import { cbc } from '@noble/ciphers/aes.js';
import { ProtocolError } from '../errors.js';
import { type CryptoSuite, nodeCryptoOf } from '../suite.js';

export interface CbcOptions {
  /** PKCS#7 padding (ECIES) or none (status blob, whole blocks only). */
  padding: boolean;
}

function checkKeyAndIv(key: Uint8Array, iv: Uint8Array): void {
  if (key.length !== 16) throw new ProtocolError('INVALID_KEY', 'key', 'must be a 16-byte AES-128 key');
  if (iv.length !== 16) throw new ProtocolError('INVALID_LENGTH', 'iv', 'must be 16 bytes');
}

export function aes128CbcEncrypt(
  suite: CryptoSuite,
  key: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  opts: CbcOptions,
) {
  checkKeyAndIv(key, iv);
  if (!opts.padding && plaintext.length % 16 !== 0) {
    throw new ProtocolError('INVALID_LENGTH', 'plaintext', 'must be a whole number of 16-byte blocks');
  }
  const node = nodeCryptoOf(suite);
  if (node) {
    const cipher = node.createCipheriv('aes-128-cbc', key, iv);
    cipher.setAutoPadding(opts.padding);
    return new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final()]));
  }
  return cbc(key, iv, { disablePadding: !opts.padding }).encrypt(plaintext);
}

/** Decrypts; a ciphertext that is not whole blocks or has bad padding is `INVALID_DATA` on `field`. */
export function aes128CbcDecrypt(
  suite: CryptoSuite,
  key: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  opts: CbcOptions & { field: string },
): Uint8Array {
  checkKeyAndIv(key, iv);
  if (ciphertext.length % 16 !== 0 || (opts.padding && ciphertext.length === 0)) {
    throw new ProtocolError(
      'INVALID_LENGTH',
      opts.field,
      'must be a non-empty whole number of 16-byte blocks',
    );
  }
  const node = nodeCryptoOf(suite);
  try {
    if (node) {
      const decipher = node.createDecipheriv('aes-128-cbc', key, iv);
      decipher.setAutoPadding(opts.padding);
      return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
    }
    return cbc(key, iv, { disablePadding: !opts.padding }).decrypt(ciphertext);
  } catch {
    throw new ProtocolError('INVALID_DATA', opts.field, 'does not decrypt (bad padding)');
  }
}
