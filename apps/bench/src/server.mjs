// Server in-process: verifications per second (hit at 0, hit at 10, failed) on PGlite and PostgreSQL, by
// running @offcode/server's own benchmark (one implementation of the scenario) and reading its JSON back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'packages',
  'server',
  'bench',
  'verify.bench.mjs',
);

export function runServerBench({ quick }) {
  const dir = mkdtempSync(join(tmpdir(), 'offcode-bench-'));
  const out = join(dir, 'server.json');
  try {
    execFileSync(process.execPath, [script], {
      env: { ...process.env, BENCH_N: quick ? '30' : '200', BENCH_OUT: out },
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 15 * 60_000,
    });
    const report = JSON.parse(readFileSync(out, 'utf8'));
    return report.results.map((r) => ({
      group: 'server',
      name: `${r.database} ${r.protocol} ${r.scenario}`,
      backend: 'wasm',
      median_ns: Math.round((r.medianMs ?? r.meanMs) * 1e6),
      min_ns: r.minMs === undefined ? null : Math.round(r.minMs * 1e6),
      max_ns: r.maxMs === undefined ? null : Math.round(r.maxMs * 1e6),
      samples: r.verifications,
      rps: r.perSecond,
      storage_pct: r.storagePct,
      crypto_pct: r.cryptoPct,
      ...(r.phases ? { phases: r.phases } : {}),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function serverTable(rows) {
  const fmt = (v) => (v === null || v === undefined ? '-' : String(v));
  const ms = (ns) => (ns === null ? '-' : (ns / 1e6).toFixed(2));
  return [
    '| database / protocol / scenario | verifies/s | median ms | min ms | max ms | storage % | crypto % |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.rps} | ${ms(r.median_ns)} | ${ms(r.min_ns)} | ${ms(r.max_ns)} | ${fmt(r.storage_pct)} | ${fmt(r.crypto_pct)} |`,
    ),
  ].join('\n');
}
