// In-process sequential verification on PostgreSQL against the floor, side by side in alternating rounds
// (a noisy neighbour slows both alike): Offcode V3 and V4 (hit at position 0, registry enforce), the floor
// transaction as the server sends it (floor.mjs), and the "classic" floor — the seven round trips the
// server sent before issue 13 (BEGIN, lock, payload lock, update, audit insert, consume, COMMIT) — a fixed
// reference for before/after comparisons across runs. Prints per-round medians and the median of the
// per-round ratios, and this process's CPU per transaction for each side. Usage (after a build):
// [SIDE_ASYNC_COMMIT=1] node apps/bench/src/side-by-side.mjs [rounds] [per round]
import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createOffcodeServer, loadConfig, openStorage } from '@offcode/server';
import { SimulatedDevice } from '@offcode/sim-token';
import pg from 'pg';
import { floorActivationId, floorTransaction, migrateFloor, pgExecutor } from './floor.mjs';
import {
  AUDIT_CODE_DIGEST_HEX,
  AUDIT_DATA_B64,
  AUDIT_INFO,
  beginSql,
  LOCK_ACTIVATION,
  LOCK_TIMEOUT_MS,
  payloadNonce,
  seedFloorActivations,
  seedFloorPayloads,
} from './floor-sql.mjs';

const ROUNDS = Number(process.argv[2] ?? 5);
const PER_ROUND = Number(process.argv[3] ?? 100);
const ADMIN_URL = process.env.OFFCODE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ACTIVATIONS = 1000;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};

/** The pre-issue-13 transaction: every statement its own round trip (the issue's original floor). */
async function classicTransaction(client, activationId, nonce) {
  await client.query(beginSql(LOCK_TIMEOUT_MS));
  try {
    const row = (await client.query(LOCK_ACTIVATION, [activationId])).rows[0];
    const payload = (
      await client.query(
        'SELECT * FROM oc_offline_payload WHERE application_id = $1 AND nonce = $2 FOR UPDATE',
        [row.application_id, nonce],
      )
    ).rows[0];
    const now = new Date();
    await client.query(
      'UPDATE oc_activation SET counter = $2, ctr_data = $3, failed_attempts = $4, temporary_block_count = $5, timestamp_last_used = $6 WHERE activation_id = $1',
      [activationId, Number(row.counter) + 1, row.ctr_data, 0, 0, now],
    );
    const audit = await client.query(
      `INSERT INTO oc_auth_audit (activation_id, user_id, application_id, protocol_version, activation_counter,
         activation_ctr_data, activation_status, additional_info, data_base64, nonce, code_digest, signature_type,
         valid, note, timestamp_created)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
      [
        activationId,
        row.user_id,
        row.application_id,
        row.protocol_version,
        row.counter,
        row.ctr_data,
        row.activation_status,
        AUDIT_INFO,
        AUDIT_DATA_B64,
        nonce,
        Buffer.from(AUDIT_CODE_DIGEST_HEX, 'hex'),
        'POSSESSION_KNOWLEDGE',
        true,
        'signature_ok',
        now,
      ],
    );
    await client.query(
      'UPDATE oc_offline_payload SET consumed_at = $2, consumed_audit_id = $3 WHERE id = $1 AND consumed_at IS NULL',
      [payload.id, now, audit.rows[0].id],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function offcodeSide(url) {
  const config = loadConfig({
    DATABASE_URL: url,
    OFFCODE_MASTER_KEY: randomBytes(32).toString('base64'),
    OFFCODE_PAYLOAD_REGISTRY: 'enforce',
  }).config;
  const storage = await openStorage({ ...config, dbPoolMax: 2 });
  const server = await createOffcodeServer({ config, storage });
  await server.applications.create({ applicationId: 'side', commitOnKeyExchange: true });
  const tokens = {};
  for (const v of [3, 4]) {
    const init = await server.activations.init({
      userId: `u${v}`,
      applicationId: 'side',
      maxFailureCount: 5,
    });
    const t = new SimulatedDevice(v);
    t.complete(await server.activations.exchange(t.exchangeRequest(init.activationCode)));
    tokens[v] = t;
  }
  let op = 0;
  const requests = async (v, n) => {
    const out = [];
    for (let i = 0; i < n; i++) {
      const created = await server.offline.createPersonalized(v, {
        activationId: tokens[v].activationId,
        data: `op-${++op}\nPayment\nPay 100.00 EUR\nA1*A100.00EUR*ICZ2730300000001165254011\n`,
      });
      out.push(tokens[v].verifyRequest(created.offlineData));
    }
    return out;
  };
  return {
    requests,
    async run(v, reqs) {
      const lat = [];
      for (const r of reqs) {
        const t0 = performance.now();
        const o = await server.offline.verifyOutcome(v, r);
        lat.push(performance.now() - t0);
        if (!o.valid) throw new Error('side-by-side: a code was not accepted');
      }
      return median(lat);
    },
    close: () => server.close().then(() => storage.close()),
  };
}

// CPU time of this process per side (user + system µs and transactions): unlike latency, hardly moved by
// a neighbour's load or a slow disk, so it shows what Offcode itself adds to the floor's client work.
const cpu = {};
async function withCpu(side, fn) {
  const before = process.cpuUsage();
  const result = await fn();
  const used = process.cpuUsage(before);
  cpu[side] ??= { us: 0, n: 0 };
  cpu[side].us += used.user + used.system;
  cpu[side].n += PER_ROUND;
  return result;
}

const dbName = `offcode_side_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
// SIDE_ASYNC_COMMIT=1: diagnostics on a machine whose disk is shared (every COMMIT waits for a slow WAL
// flush, which hides the round trips): synchronous_commit off for this scratch database only.
if (process.env.SIDE_ASYNC_COMMIT === '1')
  await admin.query(`ALTER DATABASE ${dbName} SET synchronous_commit = off`);
const url = ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
const floorClient = new pg.Client({ connectionString: url, pipeline: true });
const classicClient = new pg.Client({ connectionString: url });
let offcode;
try {
  await floorClient.connect();
  await classicClient.connect();
  offcode = await offcodeSide(url); // migrates the database
  const floor = pgExecutor(floorClient);
  await migrateFloor(floor);
  const appId = await seedFloorActivations(floor, ACTIVATIONS);
  const payloads = ROUNDS * PER_ROUND * 2 + 100;
  await seedFloorPayloads(floor, appId, ACTIVATIONS, payloads);
  let nonce = 0;
  const pick = () => floorActivationId(1 + Math.floor(Math.random() * ACTIVATIONS));
  const floorRun = async (fn) => {
    const lat = [];
    for (let i = 0; i < PER_ROUND; i++) {
      const t0 = performance.now();
      await fn(pick(), payloadNonce(++nonce));
      lat.push(performance.now() - t0);
    }
    return median(lat);
  };
  // warm-up, untimed
  await offcode.run(3, await offcode.requests(3, 10));
  await offcode.run(4, await offcode.requests(4, 10));
  for (let i = 0; i < 10; i++)
    await floorTransaction(floor, { activationId: pick(), nonce: payloadNonce(++nonce), registry: true });
  for (let i = 0; i < 10; i++) await classicTransaction(classicClient, pick(), payloadNonce(++nonce));
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const reqs3 = await offcode.requests(3, PER_ROUND);
    const reqs4 = await offcode.requests(4, PER_ROUND);
    const m = {};
    const order = r % 2 === 0 ? ['v3', 'v4', 'floor', 'classic'] : ['classic', 'floor', 'v4', 'v3'];
    for (const side of order) {
      if (side === 'v3') m.v3 = await withCpu('v3', () => offcode.run(3, reqs3));
      if (side === 'v4') m.v4 = await withCpu('v4', () => offcode.run(4, reqs4));
      if (side === 'floor')
        m.floor = await withCpu('floor', () =>
          floorRun((activationId, n) => floorTransaction(floor, { activationId, nonce: n, registry: true })),
        );
      if (side === 'classic')
        m.classic = await withCpu('classic', () =>
          floorRun((a, n) => classicTransaction(classicClient, a, n)),
        );
    }
    rounds.push(m);
    console.log(
      `round ${r + 1}: V3 ${m.v3.toFixed(3)} ms, V4 ${m.v4.toFixed(3)} ms, floor ${m.floor.toFixed(3)} ms, classic floor ${m.classic.toFixed(3)} ms`,
    );
  }
  const perTx = (side) => (cpu[side].us / cpu[side].n).toFixed(0);
  console.log(
    `this process's CPU per transaction (user+system µs, all rounds): V3 ${perTx('v3')}, V4 ${perTx('v4')}, floor ${perTx('floor')}, classic ${perTx('classic')}`,
  );
  const ratio = (a, b) => median(rounds.map((m) => m[a] / m[b])).toFixed(2);
  console.log(
    `median of per-round medians: V3 ${median(rounds.map((m) => m.v3)).toFixed(3)} ms, V4 ${median(rounds.map((m) => m.v4)).toFixed(3)} ms, floor ${median(rounds.map((m) => m.floor)).toFixed(3)} ms, classic ${median(rounds.map((m) => m.classic)).toFixed(3)} ms`,
  );
  console.log(
    `ratios (median of per-round ratios): V3/floor ${ratio('v3', 'floor')}, V4/floor ${ratio('v4', 'floor')}, V3/classic ${ratio('v3', 'classic')}, V4/classic ${ratio('v4', 'classic')}, floor/classic ${ratio('floor', 'classic')}`,
  );
  // one more pass per version with the server's phase timers on: where the time of one verification goes
  for (const v of [3, 4]) {
    const reqs = await offcode.requests(v, PER_ROUND);
    const sums = {};
    const listener = (m) => {
      for (const k of ['parse', 'lock', 'keys', 'search', 'writes', 'commit', 'total'])
        sums[k] = (sums[k] ?? 0) + m[k] / PER_ROUND;
    };
    subscribe('offcode:verify:phases', listener);
    try {
      await offcode.run(v, reqs);
    } finally {
      unsubscribe('offcode:verify:phases', listener);
    }
    console.log(
      `V${v} phases (mean ms): ${Object.entries(sums)
        .map(([k, x]) => `${k} ${x.toFixed(3)}`)
        .join(', ')}`,
    );
  }
} finally {
  await offcode?.close().catch(() => undefined);
  await floorClient.end().catch(() => undefined);
  await classicClient.end().catch(() => undefined);
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
