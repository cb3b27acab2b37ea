// Side-by-side benchmarks of the crypto core: wasm vs noble vs node:crypto, in one run.
// Usage: pnpm --filter @offcode/crypto-wasm bench [--quick] [--strict]
// Prints a table (medians, min-max, ratios), checks the targets of the crypto-wasm issue and writes
// bench/results.json ([{ name, backend, median_ns, min_ns, max_ns, samples }]) and bench/results.md.
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { machine, publicRows, ratio, runGroups, timingTable } from '@offcode/bench-kit';
import { failedSearchInput, nodeV3Search, sampleBytes } from '@offcode/bench-kit/fixtures';
import { getNobleCrypto, getWasmCrypto } from '../dist/index.js';
import { WASM_SIZE } from '../dist/wasm.js';

const quick = process.argv.includes('--quick');
const strict = process.argv.includes('--strict');

const wasm = getWasmCrypto();
const noble = getNobleCrypto();
const k32 = sampleBytes(32, 9);
const k16 = sampleBytes(16, 9);
const d100 = sampleBytes(100, 7);
const v3 = failedSearchInput(3);
const v4 = failedSearchInput(4);

const KMAC = 'KMAC256 one-shot (32 B key, 100 B data, S="PA4CODE")';
const HMAC = 'HMAC-SHA256 one-shot (16 B key, 100 B data)';
const V3 = 'V3 failed window search (20 positions x 2 types, 100 B data)';
const V4 = 'V4 failed window search (20 positions x 2 types, 100 B data)';
const groups = [
  {
    group: 'primitive',
    name: KMAC,
    tasks: {
      wasm: () => wasm.kmac256(k32, d100, { customization: 'PA4CODE' }),
      noble: () => noble.kmac256(k32, d100, { customization: 'PA4CODE' }),
    },
  },
  {
    group: 'primitive',
    name: HMAC,
    tasks: {
      wasm: () => wasm.hmacSha256(k16, d100),
      noble: () => noble.hmacSha256(k16, d100),
      'node:crypto': () => createHmac('sha256', k16).update(d100).digest(),
    },
  },
  {
    group: 'engine',
    name: V3,
    tasks: {
      wasm: () => wasm.searchOfflineCode(v3),
      noble: () => noble.searchOfflineCode(v3),
      'node:crypto': () => nodeV3Search(v3),
    },
  },
  {
    group: 'engine',
    name: V4,
    tasks: { wasm: () => wasm.searchOfflineCode(v4), noble: () => noble.searchOfflineCode(v4) },
  },
];
const targets = [
  { name: KMAC, b: 'noble', min: 8 },
  { name: HMAC, b: 'noble', min: 2 },
  { name: HMAC, b: 'node:crypto', min: 1.3 },
  { name: V3, b: 'node:crypto', min: 3 },
  { name: V3, b: 'noble', min: 4 },
  { name: V4, b: 'noble', min: 8 },
];

const rounds = quick ? 2 : 4;
const timeMs = quick ? 120 : 400;
const rows = await runGroups(groups, { rounds, timeMs });
const m = machine();
const lines = [
  '# @offcode/crypto-wasm benchmarks',
  '',
  `${m.cpu} x${m.cores}, node ${m.node}; ${rounds} rounds x ${timeMs} ms per task, task order alternating`,
  '',
  timingTable(rows),
  '',
  `wasm binary: ${WASM_SIZE} bytes (target <= 65536)`,
  '',
];
let failed = WASM_SIZE > 65536;
for (const t of targets) {
  const r = ratio(rows, t.name, 'wasm', t.b);
  const ok = r.value >= t.min;
  failed ||= !ok;
  lines.push(
    `- ${ok ? 'PASS' : 'FAIL'} ${t.name}: wasm is **${r.value.toFixed(2)}x** ${t.b} (target >= ${t.min}x; per round ${r.min.toFixed(2)}..${r.max.toFixed(2)})`,
  );
}
const text = `${lines.join('\n')}\n`;
console.log(text);
writeFileSync(
  new URL('./results.json', import.meta.url),
  `${JSON.stringify(
    publicRows(rows).map(({ group, ...r }) => r),
    null,
    2,
  )}\n`,
);
writeFileSync(new URL('./results.md', import.meta.url), text);
if (failed && strict) process.exit(1);
