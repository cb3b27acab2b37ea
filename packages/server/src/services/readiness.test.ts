/**
 * What /readyz, `offcode-api migrate --print-sql` and the pool gauges read from the server (server.md §2.6,
 * §5.3), on a storage nobody has migrated yet: PGlite in memory and a fresh PostgreSQL schema.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../../test/storages.js';
import { loadConfig } from '../config.js';
import { createOffcodeServer, type OffcodeServer } from '../server.js';
import { MIGRATIONS, migrateSets, pendingMigrationScript, SERVER_MIGRATIONS } from '../storage/migrate.js';
import { openStorageUnmigrated } from '../storage/open.js';
import type { Storage } from '../storage/types.js';

async function admin(sql: string, schema?: string): Promise<void> {
  const client = new pg.Client({
    connectionString: TEST_DATABASE_URL,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const kinds = [
  { name: 'pglite', schema: null },
  { name: 'postgresql', schema: `oc_ready_${randomBytes(5).toString('hex')}` },
] as const;

describe.each(kinds)('readiness, pending SQL and storage stats on $name', ({ name, schema }) => {
  let storage: Storage;
  let server: OffcodeServer;
  beforeAll(async () => {
    if (schema) await admin(`CREATE SCHEMA ${schema}`);
    storage = await openStorageUnmigrated(
      { databaseUrl: schema ? TEST_DATABASE_URL : null, dataDir: 'memory://', dbPoolMax: 2 },
      schema ? { schema } : {},
    );
    // skipKeyCheck: the key check reads tables that do not exist yet (an integrator migrating later).
    server = await createOffcodeServer({ config: loadConfig({}).config, storage, skipKeyCheck: true });
  });
  afterAll(async () => {
    await storage?.close();
    if (schema) await admin(`DROP SCHEMA ${schema} CASCADE`);
  });

  it('an unmigrated database is reachable but not ready, naming every pending migration', async () => {
    expect(await server.system.readiness()).toEqual({
      ready: false,
      database: true,
      pendingMigrations: MIGRATIONS.map((m) => `server/${m.version} ${m.name}`),
    });
  });

  it('the pending script reads only; applied as printed (PostgreSQL) it leaves nothing pending', async () => {
    const { pending, script } = await pendingMigrationScript(storage, [SERVER_MIGRATIONS]);
    expect(pending.map((p) => p.migration.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(script).toMatch(/^-- Offcode: 2 pending migration\(s\): server\/1 \(initial\), server\/2/);
    expect(script).toContain('CREATE TABLE IF NOT EXISTS oc_schema_migrations');
    expect(script?.trimEnd().endsWith('COMMIT;')).toBe(true);
    expect((await pendingMigrationScript(storage, [SERVER_MIGRATIONS])).pending).toHaveLength(2);
    if (schema) {
      await admin(script as string, schema); // what a DBA does with psql
    } else {
      expect(await migrateSets(storage, [SERVER_MIGRATIONS])).toHaveLength(2);
    }
    expect(await pendingMigrationScript(storage, [SERVER_MIGRATIONS])).toEqual({ pending: [], script: null });
    // The runner agrees (same checksums): nothing to apply.
    expect(await migrateSets(storage, [SERVER_MIGRATIONS])).toEqual([]);
    expect(await server.system.readiness()).toEqual({ ready: true, database: true, pendingMigrations: [] });
  });

  it('stats: idle while nothing runs, a busy connection and a queued caller while one is held', async () => {
    const max = name === 'pglite' ? 1 : 2;
    await storage.ping();
    expect(server.system.storageStats()).toMatchObject({
      max,
      idle: name === 'pglite' ? 1 : expect.any(Number),
    });
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let count = 0;
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => {
      entered = () => {
        count += 1;
        if (count === max) resolve();
      };
    });
    // Hold every connection, then queue one more caller.
    const holders = Array.from({ length: max }, () =>
      storage.transaction(async (tx) => {
        await tx.query('SELECT 1');
        entered();
        await held;
      }),
    );
    await inside;
    // A single statement outside a transaction does not wait for the pool (PostgreSQL: shared connections).
    if (name === 'postgresql')
      expect((await storage.query<{ n: number }>('SELECT 7 AS n')).rows).toEqual([{ n: 7 }]);
    const queued = storage.transaction((tx) => tx.query('SELECT 1'));
    for (let i = 0; i < 50 && (server.system.storageStats()?.waiting ?? 0) < 1; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(server.system.storageStats()).toMatchObject({ max, total: max, idle: 0, waiting: 1 });
    release();
    await Promise.all([...holders, queued]);
    expect(server.system.storageStats()).toMatchObject({
      max,
      waiting: 0,
      idle: max === 1 ? 1 : expect.any(Number),
    });
  });

  it('a closed storage: the database check fails, readiness does not throw', async () => {
    const other = await openStorageUnmigrated(
      { databaseUrl: schema ? TEST_DATABASE_URL : null, dataDir: 'memory://', dbPoolMax: 1 },
      schema ? { schema } : {},
    );
    const s = await createOffcodeServer({
      config: loadConfig({}).config,
      storage: other,
      skipKeyCheck: true,
    });
    await other.close();
    expect(await s.system.readiness()).toEqual({ ready: false, database: false, pendingMigrations: [] });
  });
});
