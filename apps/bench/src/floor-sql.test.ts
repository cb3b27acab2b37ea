// The floor is the verification's own transaction: a real verification (@offcode/server on PGlite, with the
// payload registry on and off) is recorded statement by statement and compared with floor-sql.mjs; then the
// floor transaction runs on PGlite and on the real PostgreSQL, on a schema made by the server's migrations.
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { encodeBase64 } from '@offcode/protocol';
import { createOffcodeServer, loadConfig, openStorage } from '@offcode/server';
import { SimulatedDevice } from '@offcode/sim-token';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floorActivationId, floorTransaction, migrateFloor, pgExecutor, pgliteExecutor } from './floor.mjs';
import {
  floorStatements,
  LOCK_TIMEOUT_MS,
  payloadNonce,
  seedFloorActivations,
  seedFloorPayloads,
} from './floor-sql.mjs';

const ADMIN_URL = process.env.OFFCODE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const flat = (sql: string) => sql.replace(/\s+/g, ' ').trim();

interface Recorded {
  options: unknown;
  statements: string[];
}

/** The statements of the transactions a real V3 verification runs, registry `mode`. */
async function recordVerification(mode: 'enforce' | 'off'): Promise<Recorded[]> {
  const raw = await openStorage({ databaseUrl: null, dataDir: 'memory://', dbPoolMax: 1, autoMigrate: true });
  const transactions: Recorded[] = [];
  let recording = false;
  const storage = {
    kind: raw.kind,
    query: raw.query.bind(raw),
    execScript: raw.execScript.bind(raw),
    ping: () => raw.ping(),
    close: () => raw.close(),
    transaction: (
      fn: Parameters<typeof raw.transaction>[0],
      options?: Parameters<typeof raw.transaction>[1],
    ) => {
      const t: Recorded = { options, statements: [] };
      if (recording) transactions.push(t);
      return raw.transaction(
        (tx) =>
          fn({
            query: (sql: string, params?: readonly unknown[]) => {
              t.statements.push(flat(sql));
              return tx.query(sql, params);
            },
          } as typeof tx),
        options,
      );
    },
  } as typeof raw;
  const key = encodeBase64(new Uint8Array(randomBytes(32)));
  const config = loadConfig({ OFFCODE_MASTER_KEY: key, OFFCODE_PAYLOAD_REGISTRY: mode }).config;
  const server = await createOffcodeServer({ config, storage });
  try {
    await server.applications.create({ applicationId: 'floor-check', commitOnKeyExchange: true });
    const init = await server.activations.init({
      userId: 'u',
      applicationId: 'floor-check',
      maxFailureCount: 5,
    });
    const token = new SimulatedDevice(3);
    token.complete(await server.activations.exchange(token.exchangeRequest(init.activationCode)));
    const created = await server.offline.createPersonalized(3, {
      activationId: token.activationId,
      data: 'op-1\nPayment\nPay 100.00 EUR\nA1*A100.00EUR*ICZ2730300000001165254011\n',
    });
    recording = true;
    const outcome = await server.offline.verifyOutcome(3, token.verifyRequest(created.offlineData));
    recording = false;
    expect(outcome.valid).toBe(true);
  } finally {
    await server.close();
  }
  return transactions;
}

describe('the floor transaction is the verification transaction', () => {
  for (const [mode, registry] of [
    ['enforce', true],
    ['off', false],
  ] as const) {
    it(`sends the statements a successful verification sends (registry ${mode})`, async () => {
      const transactions = await recordVerification(mode);
      expect(transactions).toHaveLength(1);
      expect(transactions[0]!.statements).toEqual(floorStatements(registry).map(flat));
      expect(transactions[0]!.options).toEqual({ lockTimeoutMs: LOCK_TIMEOUT_MS });
    });
  }
});

type Executor = ReturnType<typeof pgExecutor>;

async function checkOneTransaction(db: Executor) {
  await migrateFloor(db);
  const appId = await seedFloorActivations(db, 20);
  await seedFloorPayloads(db, appId, 20, 5);
  const id = floorActivationId(7);
  const before = (await db.query('SELECT counter FROM oc_activation WHERE activation_id = $1', [id])).rows[0];
  expect(Number(before.counter)).toBe(0);
  expect(await floorTransaction(db, { activationId: id, nonce: payloadNonce(3), registry: true })).toBe(true);
  // the same payload again: locked and found, but already consumed: the writes fail (22012, as the server's
  // enforce mode) and the COMMIT pipelined behind them rolls everything back
  await expect(
    floorTransaction(db, { activationId: id, nonce: payloadNonce(3), registry: true }),
  ).rejects.toMatchObject({ code: '22012' });
  expect(await floorTransaction(db, { activationId: id, nonce: payloadNonce(4), registry: false })).toBe(
    false,
  );
  const after = (await db.query('SELECT counter FROM oc_activation WHERE activation_id = $1', [id])).rows[0];
  expect(Number(after.counter)).toBe(2);
  const audit = await db.query(
    'SELECT activation_counter, nonce, valid FROM oc_auth_audit WHERE activation_id = $1 ORDER BY id',
    [id],
  );
  expect(audit.rows.map((r) => [Number(r.activation_counter), r.nonce, r.valid])).toEqual([
    [0, payloadNonce(3), true],
    [1, payloadNonce(4), true],
  ]);
  const consumed = await db.query('SELECT nonce FROM oc_offline_payload WHERE consumed_at IS NOT NULL');
  expect(consumed.rows.map((r) => r.nonce)).toEqual([payloadNonce(3)]);
  const migrations = await db.query('SELECT version FROM oc_schema_migrations');
  expect(migrations.rows.length).toBeGreaterThan(0);
}

describe('floor transaction on a schema from the server migrations', () => {
  it('PGlite: locks, updates the counter, writes the audit row, consumes the payload once', async () => {
    const db = await PGlite.create('memory://');
    try {
      await checkOneTransaction(pgliteExecutor(db));
    } finally {
      await db.close();
    }
  });

  const dbName = `offcode_floor_test_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  });

  it('PostgreSQL: the same, with the pg driver', async () => {
    const client = new pg.Client({
      connectionString: ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`),
      pipeline: true,
    });
    await client.connect();
    try {
      await checkOneTransaction(pgExecutor(client));
    } finally {
      await client.end();
    }
  });
});
