import { describe, expect, it } from 'vitest';
import { createOffcodeCrypto } from './engine.js';
import { createWasmBackend } from './wasm-backend.js';

/** Where `needle` occurs in `haystack` (first index, or -1). */
function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const key = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + seed) & 0xff);
const xor = (k: Uint8Array, b: number) => k.map((x) => x ^ b);

describe('wasm memory after each call', () => {
  it('holds no factor key, pad or counter: every key-dependent buffer is zeroed', () => {
    const raw = createWasmBackend();
    const crypto = createOffcodeCrypto(raw);
    for (const protocol of [3, 4] as const) {
      const n = protocol === 4 ? 32 : 16;
      const P = key(n, 11);
      const K = key(n, 101);
      const counter = key(n, 201);
      const data = new TextEncoder().encode('POST&x&y&z&offline');
      const code = crypto.computeAuthCode({ protocol, keys: [P, K], counter, data });
      crypto.searchOfflineCode({
        protocol,
        possessionKey: P,
        factors: [{ type: 'possession_knowledge', key: K }],
        counter,
        window: 20,
        data,
        code,
      });
      crypto.hmacSha256(P, data);
      crypto.kmac256(K, data, { customization: 'PA4CODE' });
      const memory = raw.memory();
      for (const secret of [P, K, counter, xor(P, 0x36), xor(P, 0x5c), xor(K, 0x36)]) {
        expect(indexOf(memory, secret)).toBe(-1);
      }
    }
  });

  it('the test would see a key that stayed in memory', () => {
    const raw = createWasmBackend();
    const P = key(16, 11);
    const view = raw.memory();
    view.set(P, 1000);
    expect(indexOf(raw.memory(), P)).toBe(1000);
  });
});
