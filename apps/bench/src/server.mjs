// Server in-process: verifications per second (hit at 0, hit at 10, failed) on PGlite and PostgreSQL, by
// running @offcode/server's own benchmark (one implementation of the scenario) and reading its JSON back.
import { spawn } from 'node:child_process';
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

/**
 * Verifications per scenario (BENCH_N of the server's script; its phase pass takes min(N, 60) more). Quick
 * mode (CI) only keeps every row alive: 10 verifications still cover each scenario and the parallel rows.
 */
export const serverBenchOptions = (quick) => ({ verifications: quick ? 10 : 200 });

/** Runs the server's script in a child process (asynchronously: quick mode runs it beside the timings). */
function runScript(env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`server bench exited with ${signal ?? code}`));
    });
  });
}

export async function runServerBench({ quick }) {
  const dir = mkdtempSync(join(tmpdir(), 'offcode-bench-'));
  const out = join(dir, 'server.json');
  try {
    await runScript({
      ...process.env,
      BENCH_N: String(serverBenchOptions(quick).verifications),
      BENCH_OUT: out,
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
