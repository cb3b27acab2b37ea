import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedStorage, storageFactories } from '../../test/storages.js';
import { MIGRATIONS, MigrationError, migrate, pendingMigrations } from './migrate.js';
import { openStorage } from './open.js';
import { StorageError } from './types.js';

describe.each(storageFactories)('storage on $name', (factory) => {
  let opened: OpenedStorage;
  beforeAll(async () => {
    opened = await factory.open();
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  it('applies every migration once and records it', async () => {
    const { storage } = opened;
    const rows = await storage.query<{ version: number; name: string }>(
      'SELECT version, name FROM oc_schema_migrations ORDER BY version',
    );
    expect(rows.rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrate(storage)).toEqual([]);
    expect(await pendingMigrations(storage)).toEqual([]);
  });

  it('refuses to start when an applied migration changed', async () => {
    const changed = MIGRATIONS.map((m) => (m.version === 1 ? { ...m, sql: `${m.sql}\n-- edited` } : m));
    await expect(migrate(opened.storage, changed)).rejects.toBeInstanceOf(MigrationError);
  });

  it('round-trips bytea, bigint, jsonb, timestamptz and uuid the same way', async () => {
    const { storage } = opened;
    await storage.query(
      'CREATE TABLE IF NOT EXISTS t_types (b bytea, n bigint, j jsonb, ts timestamptz, u uuid)',
    );
    const when = new Date('2025-05-01T10:00:00.123Z');
    await storage.query('INSERT INTO t_types VALUES ($1, $2, $3::text::jsonb, $4, $5)', [
      new Uint8Array([0, 1, 255]),
      9_007_199_254_740_991,
      JSON.stringify(['a', 'b']),
      when,
      'AAAAAAAA-0000-4000-8000-000000000001',
    ]);
    const row = (
      await storage.query<{ b: Uint8Array; n: unknown; j: unknown; ts: Date; u: string }>(
        'SELECT * FROM t_types',
      )
    ).rows[0]!;
    expect(row.b).toBeInstanceOf(Uint8Array);
    expect([...row.b]).toEqual([0, 1, 255]);
    expect(Number(row.n)).toBe(9_007_199_254_740_991);
    expect(row.j).toEqual(['a', 'b']);
    expect(row.ts.toISOString()).toBe(when.toISOString());
    expect(row.u).toBe('aaaaaaaa-0000-4000-8000-000000000001');
  });

  it('commits a transaction as a whole and rolls it back as a whole', async () => {
    const { storage } = opened;
    await storage.query('CREATE TABLE IF NOT EXISTS t_tx (v integer)');
    await storage.transaction(async (tx) => {
      await tx.query('INSERT INTO t_tx VALUES (1)');
      await tx.query('INSERT INTO t_tx VALUES (2)');
    });
    await expect(
      storage.transaction(async (tx) => {
        await tx.query('INSERT INTO t_tx VALUES (3)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(
      storage.transaction(async (tx) => {
        await tx.query('INSERT INTO t_tx VALUES (4)');
        await tx.query('SELECT * FROM no_such_table');
      }),
    ).rejects.toBeInstanceOf(StorageError);
    const rows = await storage.query<{ v: number }>('SELECT v FROM t_tx ORDER BY v');
    expect(rows.rows.map((r) => r.v)).toEqual([1, 2]);
  });

  it('reports a unique violation as kind "unique"', async () => {
    const { storage } = opened;
    await storage.query(`INSERT INTO oc_application (name, created_at) VALUES ('uq-app', now())`);
    const error = await storage
      .query(`INSERT INTO oc_application (name, created_at) VALUES ('uq-app', now())`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).reason).toBe('unique');
    expect((error as StorageError).sqlState).toBe('23505');
  });

  it('counts returned rows for SELECT and affected rows for writes without RETURNING', async () => {
    const { storage } = opened;
    await storage.query('CREATE TABLE t_count (v integer)');
    expect((await storage.query('INSERT INTO t_count VALUES (1), (2), (3)')).rowCount).toBe(3);
    expect((await storage.query('SELECT * FROM t_count WHERE v > 1')).rowCount).toBe(2);
    expect((await storage.query('SELECT * FROM t_count WHERE v > 5')).rowCount).toBe(0);
    expect((await storage.query('UPDATE t_count SET v = v + 1 WHERE v < 3')).rowCount).toBe(2);
    expect((await storage.query('DELETE FROM t_count WHERE v = 99')).rowCount).toBe(0);
    expect((await storage.query('DELETE FROM t_count RETURNING v')).rowCount).toBe(3);
  });

  it('answers a closed storage with StorageError "unavailable"', async () => {
    const other = await factory.open();
    await other.cleanup();
    const error = await other.storage.query('SELECT 1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).reason).toBe('unavailable');
  });
});

describe('PGlite in a data directory', () => {
  it('keeps its data across close and reopen, and migrates once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'offcode-pglite-'));
    try {
      const config = { databaseUrl: null, dataDir: dir, dbPoolMax: 1, autoMigrate: true };
      const first = await openStorage(config);
      await first.query(`INSERT INTO oc_application (name, created_at) VALUES ('persisted', now())`);
      await first.close();
      const second = await openStorage({ ...config, autoMigrate: false });
      const rows = await second.query<{ name: string }>('SELECT name FROM oc_application');
      expect(rows.rows.map((r) => r.name)).toEqual(['persisted']);
      const applied = await second.query('SELECT version FROM oc_schema_migrations');
      expect(applied.rowCount).toBe(MIGRATIONS.length);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
