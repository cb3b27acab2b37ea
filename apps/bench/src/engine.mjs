// Code engine: compute one code; search a failed window (20 x 2 types) and hits at positions 0, 10, 19 —
// V3 and V4, wasm vs noble vs a plain node:crypto implementation (V3 only: node:crypto has no KMAC).
// Quick mode (CI) keeps the failed window search only (the worst case; every task of the group runs).
import { failedSearchInput, nodeV3Search } from '@offcode/bench-kit/fixtures';
import { getNobleCrypto, getWasmCrypto } from '@offcode/crypto-wasm';

function hitAt(crypto, base, k) {
  let counter = base.counter;
  for (let i = 0; i < k; i++) counter = crypto.nextCounter(base.protocol, counter);
  const code = crypto.computeAuthCode({
    protocol: base.protocol,
    keys: [base.possessionKey, base.factors[0].key],
    counter,
    data: base.data,
  });
  return { ...base, code };
}

export function engineGroups({ quick = false } = {}) {
  const wasm = getWasmCrypto();
  const noble = getNobleCrypto();
  const groups = [];
  for (const protocol of [3, 4]) {
    const failed = failedSearchInput(protocol);
    const withNode = (fn) => (protocol === 3 ? { 'node:crypto': fn } : {});
    const compute = {
      protocol,
      keys: [failed.possessionKey, failed.factors[0].key],
      counter: failed.counter,
      data: failed.data,
    };
    groups.push({
      group: 'engine',
      name: `V${protocol} compute one code (2 factors, 100 B)`,
      tasks: {
        wasm: () => wasm.computeAuthCode(compute),
        noble: () => noble.computeAuthCode(compute),
        ...withNode(() => nodeV3Search({ ...failed, window: 1 })),
      },
    });
    groups.push({
      group: 'engine',
      name: `V${protocol} failed window search (20 x 2)`,
      tasks: {
        wasm: () => wasm.searchOfflineCode(failed),
        noble: () => noble.searchOfflineCode(failed),
        ...withNode(() => nodeV3Search(failed)),
      },
    });
    for (const k of [0, 10, 19]) {
      const hit = hitAt(wasm, failed, k);
      for (const c of [wasm, noble]) {
        const r = c.searchOfflineCode(hit);
        if (!r.match || r.position !== k)
          throw new Error(`V${protocol} hit at ${k} not found by ${c.backend}`);
      }
      groups.push({
        group: 'engine',
        name: `V${protocol} search, hit at position ${k}`,
        tasks: {
          wasm: () => wasm.searchOfflineCode(hit),
          noble: () => noble.searchOfflineCode(hit),
          ...withNode(() => nodeV3Search(hit)),
        },
      });
    }
  }
  return quick ? groups.filter((g) => g.name.endsWith('failed window search (20 x 2)')) : groups;
}
