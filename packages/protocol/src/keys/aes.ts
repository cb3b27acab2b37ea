/** One AES-128 block encryption (ECB, no padding) for the V3 KDF: node:crypto where present, else @noble/ciphers. */
import { ecb } from '@noble/ciphers/aes.js';
import { type CryptoImplementation, nativeBackend } from '../runtime.js';

export function aes128EncryptBlock(
  key: Uint8Array,
  block: Uint8Array,
  impl?: CryptoImplementation,
): Uint8Array {
  const node = nativeBackend(impl);
  if (node) {
    const cipher = node.createCipheriv('aes-128-ecb', key, null);
    cipher.setAutoPadding(false);
    const out = cipher.update(block);
    cipher.final();
    return new Uint8Array(out);
  }
  return ecb(key, { disablePadding: true }).encrypt(block);
}
