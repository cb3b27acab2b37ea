/** One AES-128 block encryption (ECB, no padding) for the V3 KDF: node:crypto or @noble/ciphers, per the suite. */
import { ecb } from '@noble/ciphers/aes.js';
import { type CryptoSuite, nodeCryptoOf } from '../suite.js';

export function aes128EncryptBlock(suite: CryptoSuite, key: Uint8Array, block: Uint8Array): Uint8Array {
  const node = nodeCryptoOf(suite);
  if (node) {
    const cipher = node.createCipheriv('aes-128-ecb', key, null);
    cipher.setAutoPadding(false);
    const out = cipher.update(block);
    cipher.final();
    return new Uint8Array(out);
  }
  return ecb(key, { disablePadding: true }).encrypt(block);
}
