// Side-by-side benchmarks of the crypto core: wasm vs noble vs node:crypto, in one run.
// Usage: pnpm --filter @offcode/crypto-wasm bench [--quick] [--strict]
// Prints a table (medians, min-max, ratios), checks the targets of the crypto-wasm issue and writes
// bench/results.json: [{ name, backend, median_ns, min_ns, max_ns, samples }].
import { createHash, createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Bench } from 'tinybench';
import { getNobleCrypto } from '../dist/noble.js';
import { getWasmCrypto, WASM_SIZE } from '../dist/wasm.js';

const quick = process.argv.includes('--quick');
const strict = process.argv.includes('--strict');
const ROUNDS = quick ? 2 : 4; // groups are re-run in alternating task order; stats pool all rounds
const TIME_MS = quick ? 120 : 400;

const wasm = getWasmCrypto();
const noble = getNobleCrypto();
const bytes = (n, seed) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

// --- a plain node:crypto implementation of the V3 window search (no midstate caching) ---------------
const nodeHmac = (key, data) => createHmac('sha256', key).update(data).digest();
function nodeV3Search({ possessionKey, factors, counter, window, data, code }) {
  const [s0, s1] = code.split('-').map(Number);
  const mod = 10 ** code.split('-')[0].length;
  const dec = (c) => (c.readUInt32BE(28) & 0x7fffffff) % mod;
  let ctr = Buffer.from(counter);
  for (let k = 0; k < window; k++) {
    const c0 = nodeHmac(nodeHmac(possessionKey, ctr), data);
    const a0 = dec(c0) ^ s0;
    for (const f of factors) {
      const t = nodeHmac(f.key, ctr);
      const c1 = nodeHmac(nodeHmac(t, t), data);
      if ((a0 | (dec(c1) ^ s1)) === 0) return { match: true, position: k };
    }
    const h = createHash('sha256').update(ctr).digest();
    const next = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) next[i] = h[i] ^ h[i + 16];
    ctr = next;
  }
  return { match: false };
}

function searchInput(protocol) {
  const n = protocol === 4 ? 32 : 16;
  return {
    protocol,
    possessionKey: bytes(n, 1),
    factors: [
      { type: 'possession_knowledge', key: bytes(n, 2) },
      { type: 'possession_biometry', key: bytes(n, 3) },
    ],
    counter: bytes(n, 4),
    window: 20,
    data: bytes(100, 5),
    code: '00000000-00000000',
  };
}

const k32 = bytes(32, 9);
const k16 = bytes(16, 9);
const d100 = bytes(100, 7);
const v3 = searchInput(3);
const v4 = searchInput(4);
for (const c of [wasm, noble]) {
  if (c.searchOfflineCode(v3).match || c.searchOfflineCode(v4).match)
    throw new Error('bench input must fail');
}
if (nodeV3Search(v3).match) throw new Error('bench input must fail');

const groups = [
  {
    name: 'kmac256 one-shot (32 B key, 100 B data, S="PA4CODE")',
    tasks: {
      wasm: () => wasm.kmac256(k32, d100, { customization: 'PA4CODE' }),
      noble: () => noble.kmac256(k32, d100, { customization: 'PA4CODE' }),
    },
  },
  {
    name: 'hmac-sha256 one-shot (16 B key, 100 B data)',
    tasks: {
      wasm: () => wasm.hmacSha256(k16, d100),
      noble: () => noble.hmacSha256(k16, d100),
      'node:crypto': () => createHmac('sha256', k16).update(d100).digest(),
    },
  },
  {
    name: 'V3 failed window search (20 positions x 2 types, 100 B data)',
    tasks: {
      wasm: () => wasm.searchOfflineCode(v3),
      noble: () => noble.searchOfflineCode(v3),
      'node:crypto': () => nodeV3Search(v3),
    },
  },
  {
    name: 'V4 failed window search (20 positions x 2 types, 100 B data)',
    tasks: {
      wasm: () => wasm.searchOfflineCode(v4),
      noble: () => noble.searchOfflineCode(v4),
    },
  },
];

const targets = [
  { group: 0, a: 'wasm', b: 'noble', min: 8 },
  { group: 1, a: 'wasm', b: 'noble', min: 2 },
  { group: 1, a: 'wasm', b: 'node:crypto', min: 1.3 },
  { group: 2, a: 'wasm', b: 'node:crypto', min: 3 },
  { group: 2, a: 'wasm', b: 'noble', min: 4 },
  { group: 3, a: 'wasm', b: 'noble', min: 8 },
];

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const rows = [];
const stats = groups.map(() => ({}));
for (let round = 0; round < ROUNDS; round++) {
  for (const [gi, group] of groups.entries()) {
    const entries = Object.entries(group.tasks);
    if (round % 2) entries.reverse();
    const bench = new Bench({ time: TIME_MS, warmupTime: 50 });
    for (const [backend, fn] of entries) bench.add(backend, fn);
    await bench.run();
    for (const task of bench.tasks) {
      stats[gi][task.name] ??= { roundMedians: [] };
      const s = stats[gi][task.name];
      const lat = task.result.latency;
      s.roundMedians.push(lat.p50 * 1e6);
      s.min = Math.min(s.min ?? Infinity, lat.min * 1e6);
      s.max = Math.max(s.max ?? 0, lat.max * 1e6);
      s.count = (s.count ?? 0) + lat.samplesCount;
    }
  }
}

const lines = [];
const out = (l = '') => {
  lines.push(l);
  console.log(l);
};
out(`# @offcode/crypto-wasm benchmarks`);
out(
  `${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, node ${process.version}, ${ROUNDS} rounds x ${TIME_MS} ms per task`,
);
out('');
out('| group | backend | median | min | max | samples | wasm speed-up vs this |');
out('|---|---|---:|---:|---:|---:|---:|');
const fmt = (ns) =>
  ns >= 1e6
    ? `${(ns / 1e6).toFixed(2)} ms`
    : ns >= 1e3
      ? `${(ns / 1e3).toFixed(2)} µs`
      : `${ns.toFixed(0)} ns`;
for (const [gi, group] of groups.entries()) {
  const wasmMedian = median(stats[gi].wasm.roundMedians);
  for (const [backend, s] of Object.entries(stats[gi])) {
    const m = median(s.roundMedians);
    rows.push({
      name: group.name,
      backend,
      median_ns: Math.round(m),
      min_ns: Math.round(s.min),
      max_ns: Math.round(s.max),
      samples: s.count,
    });
    const ratio = backend === 'wasm' ? '—' : `${(m / wasmMedian).toFixed(2)}x`;
    out(`| ${group.name} | ${backend} | ${fmt(m)} | ${fmt(s.min)} | ${fmt(s.max)} | ${s.count} | ${ratio} |`);
  }
}
out('');
out(`wasm binary: ${WASM_SIZE} bytes (target <= 65536)`);
let failed = WASM_SIZE > 65536;
for (const t of targets) {
  const s = stats[t.group];
  const ratio = median(s[t.b].roundMedians) / median(s[t.a].roundMedians);
  // the spread of the per-round ratios shows how noisy the machine was during this run
  const perRound = s[t.a].roundMedians.map((a, i) => s[t.b].roundMedians[i] / a);
  const ok = ratio >= t.min;
  failed ||= !ok;
  out(
    `${ok ? 'PASS' : 'FAIL'} ${groups[t.group].name}: ${t.a} is ${ratio.toFixed(2)}x ${t.b} (target >= ${t.min}x; per round ${Math.min(...perRound).toFixed(2)}..${Math.max(...perRound).toFixed(2)})`,
  );
}
writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(rows, null, 2)}\n`);
writeFileSync(new URL('./results.md', import.meta.url), `${lines.join('\n')}\n`);
if (failed && strict) process.exit(1);
