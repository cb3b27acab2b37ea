// The database floor: the transaction of one successful verification driven without Offcode, on the schema
// the server's own migrations create — by the `pg` driver from Node and by pgbench at 1, 16 and 64
// connections on PostgreSQL, and by PGlite's own driver at one connection (PGlite serialises). With and
// without the payload registry (its row lock and update). Rows have `floor` in their name.
import { createHash, randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { latencySummary } from '@offcode/bench-kit';
import { migrate } from '@offcode/server/internal';
import pg from 'pg';
import {
  AUDIT_CODE_DIGEST_HEX,
  AUDIT_DATA_B64,
  AUDIT_INFO,
  beginSql,
  LOCK_ACTIVATION,
  LOCK_ACTIVATION_AND_PAYLOAD,
  LOCK_TIMEOUT_MS,
  payloadNonce,
  seedFloorActivations,
  seedFloorPayloads,
  writeSuccess,
} from './floor-sql.mjs';
import { pgbenchAvailable, runPgbench } from './pgbench.mjs';

export const FLOOR_CONNECTIONS = [1, 16, 64];
/** More than any 2-core machine commits per second: payloads per run are sized from it (tps x seconds). */
const TPS_BOUND = 8000;
const CODE_DIGEST = Buffer.from(AUDIT_CODE_DIGEST_HEX, 'hex');

/** The uuid md5('floor-' || i)::uuid gives in SQL. */
export function floorActivationId(i) {
  const h = createHash('md5').update(`floor-${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const statementNames = new Map();
/** A name per parameterised SQL text: prepared once per connection, as the server's storage does. */
const named = (sql, params) => {
  if (!params?.length) return sql;
  if (!statementNames.has(sql)) statementNames.set(sql, `floor_${statementNames.size}`);
  return { name: statementNames.get(sql), text: sql, values: params };
};

/**
 * A connection of the `pg` driver (created with `pipeline: true`, as the server's pool) as a floor
 * executor: BEGIN + lock timeout in one simple query, parameterised statements prepared (named).
 */
export function pgExecutor(client) {
  return {
    begin: () => client.query(beginSql(LOCK_TIMEOUT_MS)),
    query: async (sql, params) => {
      const r = await client.query(named(sql, params));
      return { rows: r.rows, rowCount: r.rowCount ?? r.rows.length };
    },
    script: (sql) => client.query(sql),
  };
}

/** PGlite as a floor executor, the way its storage talks to it (exec for BEGIN, query for the rest). */
export function pgliteExecutor(db) {
  return {
    begin: () => db.exec(beginSql(LOCK_TIMEOUT_MS)),
    query: async (sql, params) => {
      const r = await db.query(sql, params);
      return { rows: r.rows, rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) };
    },
    script: (sql) => db.exec(sql),
  };
}

/** The server's migration runner (`migrate` of @offcode/server) on a raw executor. */
export async function migrateFloor(db) {
  await migrate({
    async transaction(fn) {
      await db.query('BEGIN');
      try {
        const result = await fn({ query: (sql, params) => db.query(sql, params) });
        await db.query('COMMIT');
        return result;
      } catch (error) {
        await db.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    },
    execScript: (_tx, sql) => db.script(sql),
  });
}

/**
 * One verification's transaction, as the server sends it: BEGIN pipelined with the lock statement (the
 * activation row joined with its application; with the registry, its payload row too), then the writes in
 * one statement (activation update as a match does it, the audit row, with the registry the conditional
 * consumption) with COMMIT pipelined behind it. Returns whether a payload was consumed; with the registry,
 * a payload already consumed fails the writes (22012) and the transaction rolls back.
 */
export async function floorTransaction(db, { activationId, nonce, registry }) {
  const begin = db.begin();
  let commit = null;
  const lock = registry
    ? db.query(LOCK_ACTIVATION_AND_PAYLOAD, [activationId, nonce])
    : db.query(LOCK_ACTIVATION, [activationId]);
  try {
    await begin;
    const row = (await lock).rows[0];
    if (!row) throw new Error(`floor: activation ${activationId} is missing`);
    const now = new Date();
    const counter = Number(row.counter);
    // CTR_DATA is written back unchanged: the same bytes as a new value, without Offcode's hash.
    const params = [
      activationId,
      counter + 1,
      row.ctr_data,
      0,
      0,
      now,
      activationId,
      row.user_id,
      Number(row.application_id),
      row.protocol_version,
      counter,
      row.ctr_data,
      row.activation_status,
      AUDIT_INFO,
      AUDIT_DATA_B64,
      nonce,
      CODE_DIGEST,
      'POSSESSION_KNOWLEDGE',
      true,
      'signature_ok',
      now,
    ];
    const payloadId = registry && row.p_id !== null ? row.p_id : null;
    if (registry) params.push(now, payloadId);
    // COMMIT pipelined behind the writes, as the server sends it: one round trip for both; a failed writes
    // statement makes the database answer that COMMIT with a rollback.
    const writes = db.query(writeSuccess(registry), params);
    commit = db.query('COMMIT');
    commit.catch(() => undefined); // awaited below
    const written = (await writes).rows[0];
    await commit;
    return registry && Number(written.consumed) > 0;
  } catch (error) {
    lock.catch(() => undefined);
    if (commit) await commit.catch(() => undefined);
    else await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Closed loop: every executor runs transactions back to back on random activations until the deadline;
 * payload nonces are handed out in order (each transaction a fresh payload while the pool lasts). Each
 * connection first runs `warmup` untimed transactions (statement and catalog caches of a new connection,
 * JIT), as the long-lived pool of a running API has.
 */
export async function driveFloor(executors, { durationMs, registry, activations, payloads, warmup = 10 }) {
  const latencies = [];
  let nextNonce = 0;
  let consumed = 0;
  const once = async (db) => {
    const activationId = floorActivationId(1 + Math.floor(Math.random() * activations));
    const nonce = payloadNonce((nextNonce++ % Math.max(1, payloads)) + 1);
    return floorTransaction(db, { activationId, nonce, registry });
  };
  await Promise.all(
    executors.map(async (db) => {
      for (let i = 0; i < warmup; i++) await once(db);
    }),
  );
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    executors.map(async (db) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        if (await once(db)) consumed++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  return {
    tps: Math.round((latencies.length / elapsedMs) * 1000),
    transactions: latencies.length,
    consumed,
    duration_s: +(elapsedMs / 1000).toFixed(1),
    ...latencySummary(latencies),
  };
}

function floorRow(database, driver, registry, connections, m, extra = {}) {
  const conn = `${connections} connection${connections > 1 ? 's' : ''}`;
  return {
    group: 'floor',
    name: `floor verify transaction (registry ${registry ? 'on' : 'off'})`,
    setup: `${database === 'postgresql' ? 'PostgreSQL' : 'PGlite'}, ${driver}, ${conn}`,
    database,
    driver,
    registry,
    connections,
    tps: Math.round(m.tps),
    p50_ms: m.p50_ms,
    p90_ms: m.p90_ms,
    p99_ms: m.p99_ms,
    transactions: m.transactions,
    duration_s: m.duration_s,
    // share of transactions that consumed a fresh payload (registry on; 1 = every one)
    fresh_payloads: registry ? +(m.consumed / Math.max(1, m.transactions)).toFixed(3) : null,
    ...extra,
  };
}

const log = (row) =>
  console.error(
    `  ${row.name}, ${row.setup}: ${row.tps}/s, p50 ${row.p50_ms} ms, p99 ${row.p99_ms} ms` +
      (row.fresh_payloads === null ? '' : `, fresh payloads ${row.fresh_payloads}`),
  );

async function connectAll(url, count) {
  const clients = [];
  try {
    for (let i = 0; i < count; i++) {
      const c = new pg.Client({ connectionString: url, pipeline: true });
      clients.push(c);
      await c.connect();
    }
  } catch (error) {
    await closeAll(clients);
    throw error;
  }
  return clients;
}

const closeAll = (clients) => Promise.all(clients.map((c) => c.end().catch(() => undefined)));

/** One PostgreSQL point: the pg driver, then pgbench (each on fresh payloads, connections opened untimed). */
async function postgresPoint(url, main, appId, o, registry, connections, rows, withPgbench) {
  // sized for the longer of the two runs (pgbench takes whole seconds)
  const seconds = withPgbench ? Math.max(o.durationS, pgbenchSeconds(o)) : o.durationS;
  const payloads = Math.ceil((TPS_BOUND * seconds) / connections) * connections;
  if (registry) await seedFloorPayloads(main, appId, o.activations, payloads);
  const clients = await connectAll(url, connections);
  try {
    const m = await driveFloor(clients.map(pgExecutor), {
      ...o,
      durationMs: o.durationS * 1000,
      registry,
      payloads,
    });
    rows.push(floorRow('postgresql', 'pg driver', registry, connections, m));
    log(rows.at(-1));
  } finally {
    // closed before pgbench opens its own: both at 64 would pass a default max_connections of 100
    await closeAll(clients);
  }
  if (!withPgbench) return;
  if (registry) await seedFloorPayloads(main, appId, o.activations, payloads);
  const b = await runPgbench(url, {
    clients: connections,
    durationS: pgbenchSeconds(o),
    registry,
    activations: o.activations,
    stride: payloads / connections,
  });
  const consumed = registry
    ? Number(
        (await main.query('SELECT count(*) AS n FROM oc_offline_payload WHERE consumed_at IS NOT NULL'))
          .rows[0].n,
      )
    : 0;
  rows.push(
    floorRow('postgresql', 'pgbench -M prepared', registry, connections, {
      ...b,
      consumed,
      duration_s: pgbenchSeconds(o),
    }),
  );
  log(rows.at(-1));
}

async function postgresFloor(adminUrl, o, rows) {
  const dbName = `offcode_floor_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = adminUrl.replace(/\/[^/]*$/, `/${dbName}`);
  const [mainClient] = await connectAll(url, 1);
  try {
    const main = pgExecutor(mainClient);
    await migrateFloor(main);
    const appId = await seedFloorActivations(main, o.activations);
    await main.query('ANALYZE');
    const withPgbench = await pgbenchAvailable();
    if (!withPgbench) console.error('  floor: pgbench not on PATH, its rows are left out');
    for (const registry of [false, true]) {
      for (const connections of o.connections) {
        const pgbenchHere = withPgbench && o.pgbenchConnections.includes(connections);
        await postgresPoint(url, main, appId, o, registry, connections, rows, pgbenchHere);
      }
    }
  } finally {
    await mainClient.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

async function pgliteFloor(o, rows) {
  const db = await PGlite.create('memory://');
  try {
    const exec = pgliteExecutor(db);
    await migrateFloor(exec);
    const appId = await seedFloorActivations(exec, o.activations);
    for (const registry of [false, true]) {
      const payloads = TPS_BOUND * o.durationS;
      if (registry) await seedFloorPayloads(exec, appId, o.activations, payloads);
      const m = await driveFloor([exec], { ...o, durationMs: o.durationS * 1000, registry, payloads });
      rows.push(floorRow('pglite', 'own driver (serialises)', registry, 1, m));
      log(rows.at(-1));
    }
  } finally {
    await db.close();
  }
}

/**
 * Every floor row of the report: PostgreSQL (pg driver, pgbench) at 1/16/64 connections, PGlite at 1.
 * Quick mode (CI) keeps every kind of row alive, not the numbers: half-second points at 1 and 16
 * connections, pgbench (whole seconds only) at 16 alone, on fewer activations.
 */
export const floorBenchOptions = (quick) =>
  quick
    ? { durationS: 0.5, activations: 200, connections: [1, 16], pgbenchConnections: [16] }
    : {
        durationS: 10,
        activations: 10_000,
        connections: FLOOR_CONNECTIONS,
        pgbenchConnections: FLOOR_CONNECTIONS,
      };

/** pgbench's -T takes whole seconds. */
export const pgbenchSeconds = (o) => Math.max(1, Math.round(o.durationS));

/**
 * The floor rows: PostgreSQL, then PGlite; `databases` picks one of them (quick mode runs the PGlite part,
 * CPU-bound in this process, beside the in-process server group's child process).
 */
export async function runFloorBench({ quick, adminUrl, databases = ['postgresql', 'pglite'] }) {
  const o = floorBenchOptions(quick);
  const rows = [];
  if (databases.includes('postgresql')) await postgresFloor(adminUrl, o, rows);
  if (databases.includes('pglite')) await pgliteFloor(o, rows);
  return rows;
}

export function floorTable(rows) {
  return [
    '| benchmark | setup | tx/s | p50 ms | p90 ms | p99 ms | transactions | s | fresh payloads |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.setup} | ${r.tps} | ${r.p50_ms} | ${r.p90_ms} | ${r.p99_ms} | ${r.transactions} | ${r.duration_s} | ${r.fresh_payloads ?? '-'} |`,
    ),
  ].join('\n');
}
