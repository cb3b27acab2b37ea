// Runs groups of tasks side by side: every group is run `rounds` times with the task order alternating, so
// that a noisy neighbour slows every backend alike; statistics pool all rounds. Times are in nanoseconds per call; min-max are the extremes of batch averages.
import { cpus } from 'node:os';
import { Bench } from 'tinybench';

export const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const formatNs = (ns) =>
  ns >= 1e6
    ? `${(ns / 1e6).toFixed(2)} ms`
    : ns >= 1e3
      ? `${(ns / 1e3).toFixed(2)} µs`
      : `${ns.toFixed(0)} ns`;

export function machine() {
  return { cpu: cpus()[0]?.model?.trim() ?? 'unknown', cores: cpus().length, node: process.version };
}

/**
 * How many calls one sample should batch: functions of a few microseconds are timed in batches of about
 * `targetNs`, so that the timer's own cost (and its resolution) does not squeeze every ratio towards 1.
 */
export function calibrateBatch(fn, targetNs = 50_000) {
  const timeCalls = (ns) => {
    let calls = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0n;
    while (elapsed < ns) {
      fn();
      calls++;
      elapsed = process.hrtime.bigint() - start;
    }
    return Number(elapsed) / calls;
  };
  timeCalls(100_000_000n); // warm-up: JIT and wasm tier-up
  const perCall = timeCalls(50_000_000n);
  return Math.max(1, Math.min(1000, Math.round(targetNs / perCall)));
}

/**
 * groups: [{ group, name, tasks: { backend: fn } }]. Every task is timed in batches (calibrateBatch, once per
 * task); reported times are per call. Returns rows
 * { group, name, backend, median_ns, min_ns, max_ns, samples, roundMedians }.
 */
export async function runGroups(groups, { rounds = 3, timeMs = 300, warmupMs = 50 } = {}) {
  const stats = groups.map(() => ({}));
  const batches = groups.map((g) =>
    Object.fromEntries(Object.entries(g.tasks).map(([backend, fn]) => [backend, calibrateBatch(fn)])),
  );
  for (let round = 0; round < rounds; round++) {
    for (const [gi, g] of groups.entries()) {
      const entries = Object.entries(g.tasks);
      if (round % 2) entries.reverse();
      const bench = new Bench({ time: timeMs, warmupTime: warmupMs });
      for (const [backend, fn] of entries) {
        const batch = batches[gi][backend];
        bench.add(backend, () => {
          for (let i = 0; i < batch; i++) fn();
        });
      }
      await bench.run();
      for (const task of bench.tasks) {
        if (task.result?.state !== 'completed') {
          throw new Error(`${g.name} / ${task.name}: ${task.result?.error?.message ?? task.result?.state}`);
        }
        stats[gi][task.name] ??= { roundMedians: [], min: Number.POSITIVE_INFINITY, max: 0, samples: 0 };
        const s = stats[gi][task.name];
        const lat = task.result.latency;
        const batch = batches[gi][task.name];
        s.batch = batch;
        s.roundMedians.push((lat.p50 * 1e6) / batch);
        s.min = Math.min(s.min, (lat.min * 1e6) / batch);
        s.max = Math.max(s.max, (lat.max * 1e6) / batch);
        s.samples += lat.samplesCount;
      }
    }
  }
  return groups.flatMap((g, gi) =>
    Object.entries(stats[gi]).map(([backend, s]) => ({
      group: g.group,
      name: g.name,
      backend,
      median_ns: Math.round(median(s.roundMedians)),
      min_ns: Math.round(s.min),
      max_ns: Math.round(s.max),
      samples: s.samples,
      batch: s.batch,
      roundMedians: s.roundMedians,
    })),
  );
}

/** Ratio b/a of medians, plus the min-max of the per-round ratios (the noise of this run). */
export function ratio(rows, name, a, b) {
  const ra = rows.find((r) => r.name === name && r.backend === a);
  const rb = rows.find((r) => r.name === name && r.backend === b);
  if (!ra || !rb) return undefined;
  const perRound = ra.roundMedians.map((x, i) => rb.roundMedians[i] / x);
  return { value: rb.median_ns / ra.median_ns, min: Math.min(...perRound), max: Math.max(...perRound) };
}

/** Markdown table of timing rows with a speed-up column relative to `reference` in each group. */
export function timingTable(rows, reference = 'wasm') {
  const out = [
    '| group | benchmark | backend | median | min | max | samples x calls | ' + reference + ' speed-up |',
  ];
  out.push('|---|---|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const ref = rows.find((x) => x.name === r.name && x.backend === reference);
    const speedup = !ref || r.backend === reference ? '—' : `${(r.median_ns / ref.median_ns).toFixed(2)}x`;
    out.push(
      `| ${r.group} | ${r.name} | ${r.backend} | ${formatNs(r.median_ns)} | ${formatNs(r.min_ns)} | ${formatNs(r.max_ns)} | ${r.samples} x ${r.batch} | ${speedup} |`,
    );
  }
  return out.join('\n');
}

/** Rows without the internal per-round data, for JSON files. */
export const publicRows = (rows) => rows.map(({ roundMedians, ...rest }) => rest);

/** The p-th percentile (0..100) of ascending numbers, nearest rank; NaN for none. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** p50 / p90 / p99 of latencies in milliseconds, rounded to 0.01 ms (sorts a copy). */
export function latencySummary(latenciesMs) {
  const s = Float64Array.from(latenciesMs).sort();
  const r = (v) => (Number.isNaN(v) ? null : Math.round(v * 100) / 100);
  return { p50_ms: r(percentile(s, 50)), p90_ms: r(percentile(s, 90)), p99_ms: r(percentile(s, 99)) };
}
