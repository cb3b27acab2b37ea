// Offcode against the database floor of the same run: latency ratios for in-process sequential
// verification (floor at 1 connection), throughput shares for HTTP verification (floor at the same
// connection count), and the targets of issue 13 item 4 as PASS/FAIL lines (informational: they never
// fail the run — the machine is shared and noisy).

const findFloor = (floorRows, { database, driver, registry, connections }) =>
  floorRows.find(
    (r) =>
      r.database === database &&
      r.driver.startsWith(driver) &&
      r.registry === registry &&
      r.connections === connections,
  );

const inProcess = (serverRows, database, protocol) =>
  serverRows.find((r) => r.name === `${database} ${protocol} hit at position 0 (registry enforce)`);

const httpVerify = (httpRows, processes, connections) =>
  httpRows.find(
    (r) =>
      r.group === 'http' &&
      / verify /.test(r.name) &&
      r.processes === processes &&
      r.connections === connections,
  );

const httpCreate = (httpRows, processes, connections) =>
  httpRows.find(
    (r) =>
      r.group === 'http' &&
      / create$/.test(r.name) &&
      r.processes === processes &&
      r.connections === connections,
  );

/**
 * Comparisons { offcode, floor, what, offcodeValue, floorValue, ratio, unit } where both sides were measured.
 * Latency rows: ratio = Offcode median / floor median (1.6 = 60 % slower than the bare transaction);
 * throughput rows: ratio = Offcode req/s / floor tx/s (0.4 = 40 % of the floor).
 */
export function floorComparisons({ serverRows, httpRows, floorRows }) {
  const out = [];
  for (const [database, label] of [
    ['postgresql', 'PostgreSQL'],
    ['pglite', 'PGlite'],
  ]) {
    for (const protocol of ['V3', 'V4']) {
      const s = inProcess(serverRows, database, protocol);
      for (const driver of database === 'pglite' ? ['own driver'] : ['pg driver', 'pgbench']) {
        const f = findFloor(floorRows, { database, driver, registry: true, connections: 1 });
        if (!s || !f?.p50_ms) continue;
        const offcodeValue = s.median_ns / 1e6;
        out.push({
          offcode: `in-process ${label} ${protocol} verify, hit at 0 (registry enforce), sequential`,
          floor: `${f.setup}, registry on`,
          what: 'median latency',
          offcodeValue: +offcodeValue.toFixed(2),
          floorValue: f.p50_ms,
          ratio: offcodeValue / f.p50_ms,
          unit: 'ms',
        });
      }
    }
  }
  for (const processes of [1, 2]) {
    for (const connections of [16, 64]) {
      const h = httpVerify(httpRows, processes, connections);
      for (const driver of ['pg driver', 'pgbench']) {
        const f = findFloor(floorRows, { database: 'postgresql', driver, registry: false, connections });
        if (!h || !f?.tps) continue; // a floor point that processed nothing has no ratio
        out.push({
          offcode: `HTTP V3 verify, ${h.setup}`,
          floor: `${f.setup}, registry off`,
          what: 'throughput',
          offcodeValue: h.rps,
          floorValue: f.tps,
          ratio: h.rps / f.tps,
          unit: '/s',
        });
      }
    }
  }
  return out;
}

export function comparisonTable(comparisons) {
  if (comparisons.length === 0) return 'No floor comparison: a side was not measured.';
  return [
    '| Offcode | floor | compared | Offcode | floor | Offcode / floor |',
    '|---|---|---|---:|---:|---:|',
    ...comparisons.map(
      (c) =>
        `| ${c.offcode} | ${c.floor} | ${c.what} | ${c.offcodeValue} ${c.unit} | ${c.floorValue} ${c.unit} | ${c.ratio.toFixed(2)} |`,
    ),
  ].join('\n');
}

function check(label, value, ok, shown) {
  if (value === undefined || value === null || Number.isNaN(value))
    return { label, pass: null, line: `n/a  ${label}: not measured` };
  return { label, pass: ok(value), line: `${ok(value) ? 'PASS' : 'FAIL'} ${label}: ${shown(value)}` };
}

/** The targets of issue 13 item 4, each { label, pass: true | false | null, line }. */
export function targetChecks({ serverRows, httpRows, floorRows }) {
  const v64 = httpVerify(httpRows, 1, 64);
  const c64 = httpCreate(httpRows, 1, 64);
  const floor64 = findFloor(floorRows, {
    database: 'postgresql',
    driver: 'pg driver',
    registry: false,
    connections: 64,
  });
  const checks = [
    check(
      'HTTP verify, 1 API process, 64 connections >= 1000/s',
      v64?.rps,
      (v) => v >= 1000,
      (v) => `${v}/s`,
    ),
    check(
      'HTTP verify, 1 API process, 64 connections p99 <= 50 ms',
      v64?.p99_ms,
      (v) => v <= 50,
      (v) => `${v} ms`,
    ),
    check(
      'HTTP verify, 1 API process, 64 connections >= 0.4 of the floor at 64 connections (pg driver, registry off)',
      v64 && floor64 ? v64.rps / floor64.tps : undefined,
      (v) => v >= 0.4,
      (v) => `${v.toFixed(2)} (${v64.rps}/s vs ${floor64.tps}/s)`,
    ),
  ];
  for (const protocol of ['V3', 'V4']) {
    const s = inProcess(serverRows, 'postgresql', protocol);
    const f = findFloor(floorRows, {
      database: 'postgresql',
      driver: 'pg driver',
      registry: true,
      connections: 1,
    });
    const median = s ? s.median_ns / 1e6 : undefined;
    checks.push(
      check(
        `in-process sequential ${protocol} verify on PostgreSQL (hit at 0) median <= 2 ms`,
        median,
        (v) => v <= 2,
        (v) => `${v.toFixed(2)} ms`,
      ),
      check(
        `in-process sequential ${protocol} verify on PostgreSQL <= 1.6x the floor median (pg driver, 1 connection, registry on)`,
        median !== undefined && f ? median / f.p50_ms : undefined,
        (v) => v <= 1.6,
        (v) => `${v.toFixed(2)}x (${median.toFixed(2)} ms vs ${f.p50_ms} ms)`,
      ),
    );
  }
  const sp = inProcess(serverRows, 'pglite', 'V3');
  const fp = findFloor(floorRows, {
    database: 'pglite',
    driver: 'own driver',
    registry: true,
    connections: 1,
  });
  checks.push(
    check(
      'in-process sequential V3 verify on PGlite <= 1.6x its own floor median (registry on)',
      sp && fp ? sp.median_ns / 1e6 / fp.p50_ms : undefined,
      (v) => v <= 1.6,
      (v) => `${v.toFixed(2)}x (${(sp.median_ns / 1e6).toFixed(2)} ms vs ${fp.p50_ms} ms)`,
    ),
    check(
      'HTTP payload creation, 1 API process, 64 connections >= 3000/s',
      c64?.rps,
      (v) => v >= 3000,
      (v) => `${v}/s`,
    ),
  );
  return checks;
}

/**
 * What fails a run (quick or full): wasm slower than noble on a KMAC256 row, or any verification accepted
 * twice under HTTP load — seen in the answers or in the audit table. Never absolute times or targets.
 */
export function sanityFailures(comparisons, httpRows) {
  const failures = [];
  const doubles = httpRows.reduce((n, r) => n + (r.double_accepts ?? 0), 0);
  if (doubles > 0) failures.push(`${doubles} verification(s) accepted twice under load (answers)`);
  const auditDoubles = httpRows.reduce((n, r) => n + (r.db_double_accepts ?? 0), 0);
  if (auditDoubles > 0) failures.push(`${auditDoubles} payload(s) with two valid audit rows under load`);
  for (const c of comparisons) {
    if (/^KMAC256/.test(c.label) && / vs noble$/.test(c.label) && c.ratio < 1)
      failures.push(`wasm slower than noble: ${c.label}`);
  }
  return failures;
}
