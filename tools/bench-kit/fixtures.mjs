// Inputs shared by the benchmarks (here and in apps/bench), and a plain node:crypto V3 window search
// without midstate caching, the baseline the wasm engine is compared with.
import { createHash, createHmac } from 'node:crypto';

export const sampleBytes = (n, seed) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

/** A window search (20 positions x 2 types, 100 B data) whose code matches nowhere. */
export function failedSearchInput(protocol, { window = 20, dataLength = 100 } = {}) {
  const n = protocol === 4 ? 32 : 16;
  return {
    protocol,
    possessionKey: sampleBytes(n, 1),
    factors: [
      { type: 'possession_knowledge', key: sampleBytes(n, 2) },
      { type: 'possession_biometry', key: sampleBytes(n, 3) },
    ],
    counter: sampleBytes(n, 4),
    window,
    data: sampleBytes(dataLength, 5),
    code: '00000000-00000000',
  };
}

const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

/** The V3 window search of crypto.md 8.1 written plainly with node:crypto (C0 shared between types). */
export function nodeV3Search({ possessionKey, factors, counter, window, data, code }) {
  const [g0, g1] = code.split('-');
  const mod = 10 ** g0.length;
  const s0 = Number(g0);
  const s1 = Number(g1);
  const dec = (c) => (c.readUInt32BE(28) & 0x7fffffff) % mod;
  let ctr = Buffer.from(counter);
  for (let k = 0; k < window; k++) {
    const a0 = dec(hmac(hmac(possessionKey, ctr), data)) ^ s0;
    for (const f of factors) {
      const t = hmac(f.key, ctr);
      if ((a0 | (dec(hmac(hmac(t, t), data)) ^ s1)) === 0) return { match: true, position: k };
    }
    const h = createHash('sha256').update(ctr).digest();
    const next = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) next[i] = h[i] ^ h[i + 16];
    ctr = next;
  }
  return { match: false };
}
