import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { backends, toHex } from '../test/helpers.js';

// Lengths around every SHA-256 (64 B, 55/56 padding edge) and Keccak (136 B rate) block boundary.
const LENGTHS = [
  0, 1, 31, 32, 55, 56, 63, 64, 65, 119, 120, 128, 134, 135, 136, 137, 200, 271, 272, 273, 1000, 5000,
];

describe.each(backends)('primitives on $backend', (crypto) => {
  it('SHA-256, SHA3-256 and HMAC-SHA256 equal node:crypto at every block edge', () => {
    for (const n of LENGTHS) {
      const msg = randomBytes(n);
      expect(toHex(crypto.sha256(msg))).toBe(createHash('sha256').update(msg).digest('hex'));
      expect(toHex(crypto.sha3_256(msg))).toBe(createHash('sha3-256').update(msg).digest('hex'));
      for (const keyLen of [0, 16, 32, 64, 65, 200]) {
        const key = randomBytes(keyLen);
        expect(toHex(crypto.hmacSha256(key, msg))).toBe(createHmac('sha256', key).update(msg).digest('hex'));
      }
    }
  });

  it('KMAC256 absorbs L: a 16-byte KMAC is not a prefix of the 32-byte one', () => {
    const key = randomBytes(32);
    const msg = randomBytes(100);
    const long = crypto.kmac256(key, msg, { customization: 'PA4CODE', dkLen: 32 });
    const short = crypto.kmac256(key, msg, { customization: 'PA4CODE', dkLen: 16 });
    expect(short).toHaveLength(16);
    expect(toHex(long).startsWith(toHex(short))).toBe(false);
  });

  it('KMAC256 separates customization strings and handles long keys and S', () => {
    const key = randomBytes(300);
    const msg = randomBytes(10);
    const a = crypto.kmac256(key, msg, { customization: 'PA4MAC-QR' });
    const b = crypto.kmac256(key, msg, { customization: new TextEncoder().encode('PA4MAC-QR') });
    const c = crypto.kmac256(key, msg);
    const d = crypto.kmac256(key, msg, { customization: 'x'.repeat(500), dkLen: 400 });
    expect(toHex(a)).toBe(toHex(b));
    expect(toHex(a)).not.toBe(toHex(c));
    expect(d).toHaveLength(400);
  });

  it('grows its memory for the largest accepted input (1 MiB) and keeps working afterwards', () => {
    const big = randomBytes(1 << 20);
    expect(toHex(crypto.sha256(big))).toBe(createHash('sha256').update(big).digest('hex'));
    expect(toHex(crypto.hmacSha256(big.subarray(0, 100), big))).toBe(
      createHmac('sha256', big.subarray(0, 100)).update(big).digest('hex'),
    );
    const small = randomBytes(10);
    expect(toHex(crypto.sha3_256(small))).toBe(createHash('sha3-256').update(small).digest('hex'));
  });

  it('does not modify its inputs', () => {
    const key = randomBytes(32);
    const counter = randomBytes(32);
    const data = randomBytes(150);
    const copies = [key, counter, data].map((b) => Buffer.from(b));
    crypto.computeAuthCode({ protocol: 4, keys: [key, key], counter, data });
    crypto.searchOfflineCode({
      protocol: 4,
      possessionKey: key,
      factors: [{ type: 'possession_knowledge', key }],
      counter,
      window: 5,
      data,
      code: '00000000-00000000',
    });
    expect([key, counter, data].map((b) => Buffer.from(b).equals(copies.shift()!))).toEqual([
      true,
      true,
      true,
    ]);
  });
});

describe('OFFCODE_CRYPTO_METHODS', () => {
  it('lists exactly the methods of every engine', async () => {
    const { OFFCODE_CRYPTO_METHODS, getNobleCrypto, getWasmCrypto } = await import('./index.js');
    for (const engine of [getWasmCrypto(), getNobleCrypto()]) {
      const methods = Object.keys(engine).filter((k) => k !== 'backend');
      expect([...OFFCODE_CRYPTO_METHODS].sort()).toEqual(methods.sort());
    }
    expect(Object.isFrozen(OFFCODE_CRYPTO_METHODS)).toBe(true);
  });
});
