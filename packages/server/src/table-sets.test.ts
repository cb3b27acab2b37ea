/**
 * Table sets through the server (server.md §5.7) on both databases: migration by the server's runner, scoped
 * statements, sealing with its own purpose, the start-up key check and re-sealing after a key rotation.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateDevice, createApp, paymentData, TEST_MASTER_KEY, TestClock } from '../test/harness.js';
import { type OpenedStorage, storageFactories } from '../test/storages.js';
import { AtRestCipher } from './at-rest.js';
import { loadConfig } from './config.js';
import { OffcodeError } from './errors.js';
import { createOffcodeServer } from './server.js';
import { MigrationError } from './storage/migrate.js';
import { defineTableSet, TableScopeError } from './storage/table-set.js';

const KEY_2 = 'ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=';
const KEY_3 = Buffer.alloc(32, 7).toString('base64');

const NOTES = defineTableSet({
  namespace: 'notes',
  tables: [
    {
      name: 'notes_item',
      key: 'id',
      newest: 'created_at',
      sealed: [{ column: 'secret', encryptionColumn: 'secret_encryption' }],
    },
  ],
  migrations: [
    {
      version: 1,
      name: 'item',
      sql: `CREATE TABLE notes_item (id uuid PRIMARY KEY, body text NOT NULL, secret bytea,
              secret_encryption smallint NOT NULL DEFAULT 0, created_at timestamptz NOT NULL)`,
    },
  ],
});
const OTHER = defineTableSet({
  namespace: 'other',
  tables: [{ name: 'other_item', key: 'id' }],
  migrations: [{ version: 1, name: 'item', sql: 'CREATE TABLE other_item (id integer PRIMARY KEY)' }],
});

describe.each(storageFactories)('table sets on $name', (factory) => {
  let opened: OpenedStorage;
  const clock = new TestClock();
  const start = (env: Record<string, string>, tableSets = [NOTES, OTHER]) =>
    createOffcodeServer({
      config: loadConfig({ OFFCODE_CRYPTO_BACKEND: 'wasm', ...env }).config,
      storage: opened.storage,
      clock: clock.now,
      tableSets,
    });
  const insert = async (
    server: Awaited<ReturnType<typeof start>>,
    id: string,
    secret: Uint8Array,
    when = new Date(clock.t),
  ) => {
    const sealed = server.tables('notes').seal('notes_item.secret', id, secret);
    await server
      .tables('notes')
      .query(
        'INSERT INTO notes_item (id, body, secret, secret_encryption, created_at) VALUES ($1, $2, $3, $4, $5)',
        [id, 'b', sealed.bytes, sealed.encryption, when],
      );
  };
  const readSecret = async (server: Awaited<ReturnType<typeof start>>, id: string): Promise<number[]> => {
    const notes = server.tables('notes');
    const r = await notes.query<{ secret: Uint8Array; secret_encryption: number }>(
      'SELECT secret, secret_encryption FROM notes_item WHERE id = $1',
      [id],
    );
    const row = r.rows[0]!;
    return [...notes.open('notes_item.secret', id, row.secret, Number(row.secret_encryption))];
  };

  beforeAll(async () => {
    opened = await factory.open();
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  it('refuses to start with a table set that is behind when OFFCODE_AUTO_MIGRATE=false', async () => {
    const error = await start({ OFFCODE_AUTO_MIGRATE: 'false' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toContain('pending migrations notes/1, other/1');
  });

  it('migrates the sets with the server runner and keeps statements inside the set', async () => {
    const server = await start({ OFFCODE_MASTER_KEY: TEST_MASTER_KEY });
    const applied = await opened.storage.query<{ namespace: string }>(
      `SELECT namespace FROM oc_schema_migrations WHERE namespace <> 'server' ORDER BY namespace`,
    );
    expect(applied.rows.map((r) => r.namespace)).toEqual(['notes', 'other']);
    await start({ OFFCODE_AUTO_MIGRATE: 'false', OFFCODE_MASTER_KEY: TEST_MASTER_KEY }); // now up to date
    const notes = server.tables('notes');
    expect(notes.namespace).toBe('notes');
    expect((await notes.query('SELECT count(*) AS n FROM notes_item')).rows[0]).toEqual({
      n: expect.anything(),
    });
    for (const sql of [
      'SELECT * FROM oc_activation',
      'SELECT n.* FROM notes_item n JOIN oc_application a ON true',
      'DELETE FROM other_item',
      'select * from OC_SCHEMA_MIGRATIONS',
    ]) {
      await expect(notes.query(sql)).rejects.toBeInstanceOf(TableScopeError);
    }
    await expect(server.tables('other').query('SELECT * FROM notes_item')).rejects.toBeInstanceOf(
      TableScopeError,
    );
    expect(() => server.tables('server')).toThrow(TableScopeError);
    expect(() => server.tables('nope')).toThrow(TableScopeError);
  });

  it('runs a transaction as a whole, passes errors of fn through, maps database failures', async () => {
    const server = await start({ OFFCODE_MASTER_KEY: TEST_MASTER_KEY });
    const other = server.tables('other');
    class Mine extends Error {}
    const mine = new Mine('stop');
    const thrown = await other
      .transaction(async (tx) => {
        await tx.query('INSERT INTO other_item (id) VALUES (1)');
        throw mine;
      })
      .catch((e: unknown) => e);
    expect(thrown).toBe(mine);
    await other.transaction(async (tx) => {
      await tx.query('INSERT INTO other_item (id) VALUES (2)');
      await tx.query('INSERT INTO other_item (id) VALUES (3)');
    });
    const ids = await other.query<{ id: number }>('SELECT id FROM other_item ORDER BY id');
    expect(ids.rows.map((r) => Number(r.id))).toEqual([2, 3]);
    const dup = await other.query('INSERT INTO other_item (id) VALUES (2)').catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(OffcodeError);
    expect((dup as OffcodeError).code).toBe('ERR0000');
    // A scope violation inside a transaction rolls back the statements before it.
    await expect(
      other.transaction(async (tx) => {
        await tx.query('INSERT INTO other_item (id) VALUES (4)');
        await tx.query('SELECT * FROM oc_auth_audit');
      }),
    ).rejects.toBeInstanceOf(TableScopeError);
    expect((await other.query('SELECT id FROM other_item WHERE id = 4')).rowCount).toBe(0);
  });

  it('seals with the purpose of a declared column, bound to its row, in the server envelope', async () => {
    const server = await start({ OFFCODE_MASTER_KEY: TEST_MASTER_KEY });
    const notes = server.tables('notes');
    const id = crypto.randomUUID();
    const secret = new Uint8Array(randomBytes(16));
    await insert(server, id, secret);
    expect(await readSecret(server, id)).toEqual([...secret]);
    const sealed = notes.seal('notes_item.secret', id, secret);
    expect(sealed.encryption).toBe(1);
    // The AAD is `offcode:v1|{table}.{column}|{row key}` (the demo's rows of 0.1 stay readable).
    const cipher = new AtRestCipher(Buffer.from(TEST_MASTER_KEY, 'base64'));
    expect([...cipher.open(sealed.bytes, 1, `offcode:v1|notes_item.secret|${id}`)]).toEqual([...secret]);
    expect(() => notes.open('notes_item.secret', crypto.randomUUID(), sealed.bytes, 1)).toThrow(
      expect.objectContaining({ code: 'ERR0022' }),
    );
    expect(() => notes.seal('notes_item.body', id, secret)).toThrow(TableScopeError);
    expect(() => notes.seal('oc_activation.activation_secret', id, secret)).toThrow(TableScopeError);
    expect(() => server.tables('other').seal('notes_item.secret', id, secret)).toThrow(TableScopeError);
  });

  it('start-up check: a wrong master key or none fails naming the sealed column of the set', async () => {
    // Only this storage's table-set rows decide: the server's own tables are empty of keys so far.
    const wrong = await start({ OFFCODE_MASTER_KEY: KEY_3 }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(OffcodeError);
    expect((wrong as OffcodeError).code).toBe('ERR0021');
    expect((wrong as OffcodeError).message).toMatch(
      /newest sealed notes_item\.secret \(key id [0-9a-f]{8}\)/,
    );
    const none = await start({}).catch((e: unknown) => e);
    expect((none as OffcodeError).code).toBe('ERR0020');
    expect((none as OffcodeError).message).toContain('notes_item.secret');
    // Without the set registered the server does not look at its table.
    await expect(start({ OFFCODE_MASTER_KEY: KEY_3 }, [])).resolves.toBeDefined();
  });

  it('re-seals server keys and table-set values under the new key; the old key can then go', async () => {
    const before = await start({ OFFCODE_MASTER_KEY: TEST_MASTER_KEY });
    const app = await createApp(before);
    const v3 = await activateDevice(before, app, 3);
    const v4 = await activateDevice(before, app, 4);
    const id = crypto.randomUUID();
    const secret = new Uint8Array(randomBytes(16));
    await insert(before, id, secret, new Date(clock.t + 1000));
    // A value stored in plaintext (sealed before any key was configured) is sealed too.
    const plainId = crypto.randomUUID();
    await opened.storage.query(
      'INSERT INTO notes_item (id, body, secret, secret_encryption, created_at) VALUES ($1, $2, $3, 0, $4)',
      [plainId, 'p', new Uint8Array([1, 2, 3]), new Date(clock.t - 1000)],
    );

    const rotated = await start({ OFFCODE_MASTER_KEY: KEY_2, OFFCODE_MASTER_KEY_PREVIOUS: TEST_MASTER_KEY });
    const result = await rotated.maintenance.reseal();
    expect(result.resealed['notes_item.secret']).toBeGreaterThanOrEqual(3); // earlier tests' rows + plain
    expect(result.resealed['oc_activation.server_private_key']).toBeGreaterThanOrEqual(1);
    expect(result.resealed['oc_activation.activation_secret']).toBeGreaterThanOrEqual(1);
    expect(result.resealed['oc_master_keypair.private_key']).toBeGreaterThanOrEqual(2);
    const again = Object.values((await rotated.maintenance.reseal()).resealed);
    expect(again).toEqual(again.map(() => 0)); // nothing left under the old key

    const after = await start({ OFFCODE_MASTER_KEY: KEY_2 }); // no previous key any more
    expect(await readSecret(after, id)).toEqual([...secret]);
    expect(await readSecret(after, plainId)).toEqual([1, 2, 3]);
    for (const device of [v3, v4]) {
      const created = await after.offline.createPersonalized(device.protocol, {
        activationId: device.activationId,
        data: paymentData(),
      });
      const payload = device.readPayload(created.offlineData);
      const outcome = await after.offline.verifyOutcome(
        device.protocol,
        device.verifyRequest(payload, device.computeCode(payload)),
      );
      expect(outcome.valid).toBe(true);
    }
    // And the old key alone no longer reads anything.
    await expect(start({ OFFCODE_MASTER_KEY: TEST_MASTER_KEY })).rejects.toMatchObject({ code: 'ERR0021' });
    await expect(start({})).rejects.toMatchObject({ code: 'ERR0020' });
  });

  it('re-seal without a master key is refused with one message', async () => {
    const server = await createOffcodeServer({
      config: loadConfig({ OFFCODE_CRYPTO_BACKEND: 'wasm' }).config,
      storage: opened.storage,
      skipKeyCheck: true,
    });
    await expect(server.maintenance.reseal()).rejects.toMatchObject({ code: 'ERR0020' });
  });
});
