// pgbench's output parsers (property tests) and a real pgbench run of the floor script against a database
// made by the server's migrations: every transaction locks, updates, audits and consumes a fresh payload.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floorBenchOptions, migrateFloor, pgbenchSeconds, pgExecutor } from './floor.mjs';
import { LOCK_ACTIVATION, seedFloorActivations, seedFloorPayloads } from './floor-sql.mjs';
import { parsePgbenchLog, parsePgbenchSummary, pgbenchScript, runPgbench } from './pgbench.mjs';

const ADMIN_URL = process.env.OFFCODE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const flat = (sql: string) => sql.replace(/\s+/g, ' ').trim();

describe('pgbench output parsers', () => {
  it('reads the latency (µs) of every successful transaction of a log and skips failed or skipped ones', () => {
    const entry = fc.record({
      client: fc.nat(1000),
      tx: fc.nat(1_000_000),
      us: fc.option(fc.nat(10_000_000), { nil: undefined }),
      word: fc.constantFrom('failed', 'skipped'),
      lag: fc.option(fc.nat(1000), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 50 }), (entries) => {
        const text = entries
          .map(
            (e) =>
              `${e.client} ${e.tx} ${e.us ?? e.word} 0 1765000000 123456${e.lag === undefined ? '' : ` ${e.lag}`}`,
          )
          .join('\n');
        const expected = entries.filter((e) => e.us !== undefined).map((e) => e.us! / 1000);
        expect(parsePgbenchLog(`${text}\n`)).toEqual(expected);
      }),
    );
  });

  it('reads tps, processed and failed transactions from the summary, and refuses a text without one', () => {
    fc.assert(
      fc.property(fc.nat(100_000), fc.nat(1_000_000), fc.nat(1000), (centi, processed, failed) => {
        const tps = (centi / 100).toFixed(6);
        const text = [
          'transaction type: verify.sql',
          `number of transactions actually processed: ${processed}`,
          `number of failed transactions: ${failed} (0.000%)`,
          'latency average = 1.234 ms',
          `tps = ${tps} (without initial connection time)`,
        ].join('\n');
        expect(parsePgbenchSummary(text)).toEqual({ tps: Number(tps), transactions: processed, failed });
      }),
    );
    expect(() => parsePgbenchSummary('pgbench: error: connection refused')).toThrow(/no summary/);
    // nothing processed in the time: pgbench prints no tps line
    expect(
      parsePgbenchSummary(
        'number of transactions actually processed: 0\nnumber of failed transactions: 0 (NaN%)\n',
      ),
    ).toEqual({ tps: 0, transactions: 0, failed: 0 });
    expect(() => parsePgbenchSummary('number of transactions actually processed: 5\n')).toThrow(/no summary/);
  });
});

describe('the pgbench script', () => {
  it('has the statements of the verification (bound values as pgbench expressions)', () => {
    const script = pgbenchScript(true);
    const lock = flat(LOCK_ACTIVATION).replace(/\$1 FOR UPDATE OF a$/, '');
    expect(script).toContain(lock);
    expect(script).toContain(
      'SELECT * FROM oc_offline_payload WHERE application_id = (SELECT application_id FROM a) AND nonce =',
    );
    expect(script).toMatch(/FROM a LEFT JOIN p ON true \\gset r_\n/);
    expect(script).toContain('WHERE id = :r_p_id AND consumed_at IS NULL RETURNING id)');
    const off = pgbenchScript(false);
    expect(off).not.toContain('oc_offline_payload');
    expect(off).toMatch(/FOR UPDATE OF a \\gset r_\n/);
    // one statement for the writes, then COMMIT
    expect(off.split('\n').filter((l) => l.startsWith('WITH upd AS'))).toHaveLength(1);
  });

  const dbName = `offcode_pgbench_test_${randomBytes(4).toString('hex')}`;
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  const client = new pg.Client({ connectionString: url, pipeline: true });
  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  });

  it('runs at 2 clients: each transaction a fresh payload, one audit row, one counter step', async () => {
    const db = pgExecutor(client);
    await migrateFloor(db);
    const appId = await seedFloorActivations(db, 50);
    const stride = 20_000;
    await seedFloorPayloads(db, appId, 50, 2 * stride);
    const r = await runPgbench(url, { clients: 2, durationS: 1, registry: true, activations: 50, stride });
    expect(r.transactions).toBeGreaterThan(0);
    expect(r.failed).toBe(0);
    expect(r.p50_ms).toBeGreaterThan(0);
    expect(r.p99_ms).toBeGreaterThanOrEqual(r.p50_ms!);
    const counts = (
      await db.query(
        `SELECT (SELECT count(*) FROM oc_offline_payload WHERE consumed_at IS NOT NULL)::int AS consumed,
                (SELECT count(*) FROM oc_auth_audit)::int AS audit,
                (SELECT sum(counter) FROM oc_activation)::int AS steps,
                (SELECT count(DISTINCT nonce) FROM oc_auth_audit)::int AS nonces`,
      )
    ).rows[0];
    expect(counts).toEqual({
      consumed: r.transactions,
      audit: r.transactions,
      steps: r.transactions,
      nonces: r.transactions,
    });
  });

  it('full mode: 10 s points on 10 000 activations, pg driver and pgbench at 1, 16 and 64 connections', () => {
    expect(floorBenchOptions(false)).toEqual({
      durationS: 10,
      activations: 10_000,
      connections: [1, 16, 64],
      pgbenchConnections: [1, 16, 64],
    });
    expect(pgbenchSeconds(floorBenchOptions(false))).toBe(10);
  });

  it('quick mode: every kind of floor row still runs (both drivers, more than one connection)', () => {
    const o = floorBenchOptions(true);
    expect(o.durationS).toBeGreaterThan(0);
    expect(o.connections).toContain(1);
    expect(o.connections.some((c) => c > 1)).toBe(true);
    expect(o.pgbenchConnections.length).toBeGreaterThan(0);
    expect(o.pgbenchConnections.every((c) => o.connections.includes(c))).toBe(true);
    // pgbench -T takes whole seconds: never 0
    expect(pgbenchSeconds(o)).toBeGreaterThanOrEqual(1);
  });
});
