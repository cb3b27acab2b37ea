// The Offcode / floor table and the item-4 targets from rows as main.mjs gets them, and what fails a run:
// double acceptances (answers or audit) and wasm slower than noble on KMAC256 — never a missed target.
import { describe, expect, it } from 'vitest';
import { comparisonTable, floorComparisons, sanityFailures, targetChecks } from './floor-report.mjs';

const floorRow = (
  database: string,
  driver: string,
  registry: boolean,
  connections: number,
  tps: number,
  p50: number,
) => ({
  group: 'floor',
  name: `floor verify transaction (registry ${registry ? 'on' : 'off'})`,
  setup: `${database}, ${driver}, ${connections} connections`,
  database,
  driver,
  registry,
  connections,
  tps,
  p50_ms: p50,
  p90_ms: p50,
  p99_ms: p50,
});

const floorRows = [
  floorRow('postgresql', 'pg driver', true, 1, 500, 1.5),
  floorRow('postgresql', 'pgbench -M extended', true, 1, 600, 1.2),
  floorRow('postgresql', 'pg driver', false, 16, 1300, 11),
  floorRow('postgresql', 'pg driver', false, 64, 1500, 40),
  floorRow('postgresql', 'pgbench -M extended', false, 64, 2000, 30),
  floorRow('pglite', 'own driver (serialises)', true, 1, 400, 2),
];
const serverRows = [
  { group: 'server', name: 'postgresql V3 hit at position 0 (registry enforce)', median_ns: 2_100_000 },
  { group: 'server', name: 'postgresql V4 hit at position 0 (registry enforce)', median_ns: 1_800_000 },
  { group: 'server', name: 'pglite V3 hit at position 0 (registry enforce)', median_ns: 3_000_000 },
];
const http = (name: string, connections: number, rps: number, p99: number, extra = {}) => ({
  group: 'http',
  name,
  setup: `PostgreSQL, 1 API process, ${connections} connections`,
  processes: 1,
  connections,
  rps,
  p99_ms: p99,
  double_accepts: 0,
  ...extra,
});
const httpRows = [
  http('V3 payload create', 64, 3100, 40),
  http('V3 verify (each code sent twice)', 64, 900, 45, { db_double_accepts: 0 }),
  http('V3 verify (each code sent twice)', 16, 650, 30, { db_double_accepts: 0 }),
];

describe('Offcode / floor', () => {
  it('compares in-process medians with the floor at 1 connection and HTTP throughput with the floor at 16 and 64', () => {
    const c = floorComparisons({ serverRows, httpRows, floorRows });
    const pgV3 = c.filter((x) => x.offcode.startsWith('in-process PostgreSQL V3'));
    expect(pgV3.map((x) => [x.floorValue, +x.ratio.toFixed(3)])).toEqual([
      [1.5, 1.4],
      [1.2, 1.75],
    ]);
    const pglite = c.find((x) => x.offcode.startsWith('in-process PGlite V3'));
    expect(pglite?.ratio).toBeCloseTo(1.5);
    const h64 = c.filter((x) => x.offcode.startsWith('HTTP') && x.offcode.includes('64 connections'));
    expect(h64.map((x) => +x.ratio.toFixed(3))).toEqual([0.6, 0.45]);
    const h16 = c.filter((x) => x.offcode.startsWith('HTTP') && x.offcode.includes('16 connections'));
    expect(h16.map((x) => +x.ratio.toFixed(3))).toEqual([0.5]);
    expect(comparisonTable(c)).toContain('| 900 /s | 1500 /s | 0.60 |');
  });

  it('prints each target as PASS, FAIL or n/a', () => {
    const lines = targetChecks({ serverRows, httpRows, floorRows }).map((t) => t.line);
    expect(lines).toEqual([
      'FAIL HTTP verify, 1 API process, 64 connections >= 1000/s: 900/s',
      'PASS HTTP verify, 1 API process, 64 connections p99 <= 50 ms: 45 ms',
      'PASS HTTP verify, 1 API process, 64 connections >= 0.4 of the floor at 64 connections (pg driver, registry off): 0.60 (900/s vs 1500/s)',
      'FAIL in-process sequential V3 verify on PostgreSQL (hit at 0) median <= 2 ms: 2.10 ms',
      'PASS in-process sequential V3 verify on PostgreSQL <= 1.6x the floor median (pg driver, 1 connection, registry on): 1.40x (2.10 ms vs 1.5 ms)',
      'PASS in-process sequential V4 verify on PostgreSQL (hit at 0) median <= 2 ms: 1.80 ms',
      'PASS in-process sequential V4 verify on PostgreSQL <= 1.6x the floor median (pg driver, 1 connection, registry on): 1.20x (1.80 ms vs 1.5 ms)',
      'PASS in-process sequential V3 verify on PGlite <= 1.6x its own floor median (registry on): 1.50x (3.00 ms vs 2 ms)',
      'PASS HTTP payload creation, 1 API process, 64 connections >= 3000/s: 3100/s',
    ]);
    const none = targetChecks({ serverRows: [], httpRows: [], floorRows: [] });
    expect(none.every((t) => t.pass === null && t.line.startsWith('n/a'))).toBe(true);
  });
});

describe('sanity', () => {
  const kmac = [{ label: 'KMAC256 16 B vs noble', ratio: 17, min: 15, max: 18 }];
  it('passes with missed targets and no double acceptance', () => {
    expect(sanityFailures(kmac, httpRows)).toEqual([]);
  });
  it('fails on a double acceptance seen in the answers or only in the audit table', () => {
    expect(sanityFailures(kmac, [http('V3 verify', 64, 1, 1, { double_accepts: 2 })])).toEqual([
      '2 verification(s) accepted twice under load (answers)',
    ]);
    expect(sanityFailures(kmac, [http('V3 verify', 64, 1, 1, { db_double_accepts: 1 })])).toEqual([
      '1 payload(s) with two valid audit rows under load',
    ]);
  });
  it('fails when wasm is slower than noble on KMAC256', () => {
    expect(sanityFailures([{ label: 'KMAC256 16 B vs noble', ratio: 0.9, min: 0.8, max: 1 }], [])).toEqual([
      'wasm slower than noble: KMAC256 16 B vs noble',
    ]);
  });
});
