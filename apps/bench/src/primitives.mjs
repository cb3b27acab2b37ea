// Primitives: HMAC-SHA256, SHA3-256 and KMAC256 on 16/100/1000-byte messages, wasm vs noble vs node:crypto.
// Quick mode (CI) keeps every KMAC256 row (the ratio sanity reads them) and HMAC/SHA3 at 100 B only.
import { createHash, createHmac } from 'node:crypto';
import { sampleBytes } from '@offcode/bench-kit/fixtures';
import { getNobleCrypto, getWasmCrypto } from '@offcode/crypto-wasm';

export function primitiveGroups({ quick = false } = {}) {
  const wasm = getWasmCrypto();
  const noble = getNobleCrypto();
  const key16 = sampleBytes(16, 1);
  const key32 = sampleBytes(32, 2);
  const groups = [16, 100, 1000].flatMap((n) => {
    const msg = sampleBytes(n, n);
    return [
      {
        group: 'primitive',
        name: `HMAC-SHA256 ${n} B`,
        tasks: {
          wasm: () => wasm.hmacSha256(key16, msg),
          noble: () => noble.hmacSha256(key16, msg),
          'node:crypto': () => createHmac('sha256', key16).update(msg).digest(),
        },
      },
      {
        group: 'primitive',
        name: `SHA3-256 ${n} B`,
        tasks: {
          wasm: () => wasm.sha3_256(msg),
          noble: () => noble.sha3_256(msg),
          'node:crypto': () => createHash('sha3-256').update(msg).digest(),
        },
      },
      {
        group: 'primitive',
        name: `KMAC256 ${n} B`,
        // node:crypto has no KMAC/cSHAKE: wasm vs noble only
        tasks: {
          wasm: () => wasm.kmac256(key32, msg, { customization: 'PA4CODE' }),
          noble: () => noble.kmac256(key32, msg, { customization: 'PA4CODE' }),
        },
      },
    ];
  });
  return quick ? groups.filter((g) => g.name.startsWith('KMAC256') || g.name.endsWith(' 100 B')) : groups;
}
