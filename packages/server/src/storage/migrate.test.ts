import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedStorage, storageFactories } from '../../test/storages.js';
import {
  MIGRATIONS,
  MigrationError,
  type MigrationSet,
  migrateSets,
  pendingMigrationsOf,
  SERVER_MIGRATIONS,
} from './migrate.js';

const setA = (suffix: string): MigrationSet => ({
  namespace: `a_${suffix}`,
  migrations: [
    { version: 1, name: 'one', sql: `CREATE TABLE t_a_${suffix} (id integer PRIMARY KEY)` },
    { version: 2, name: 'two', sql: `ALTER TABLE t_a_${suffix} ADD COLUMN v text` },
  ],
});
const setB = (suffix: string): MigrationSet => ({
  namespace: `b_${suffix}`,
  migrations: [{ version: 1, name: 'one', sql: `CREATE TABLE t_b_${suffix} (id integer PRIMARY KEY)` }],
});

let counter = 0;
const fresh = (): string => `${process.pid}_${++counter}`;

describe.each(storageFactories)('migration namespaces on $name', (factory) => {
  let opened: OpenedStorage;
  beforeAll(async () => {
    opened = await factory.open();
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  it('applies each namespace in version order, records it per namespace, once', async () => {
    const s = fresh();
    const sets = [SERVER_MIGRATIONS, setA(s), setB(s)];
    expect(
      (await pendingMigrationsOf(opened.storage, sets)).map((p) => `${p.namespace}/${p.migration.version}`),
    ).toEqual([`a_${s}/1`, `a_${s}/2`, `b_${s}/1`]);
    expect(await migrateSets(opened.storage, sets)).toEqual([
      { namespace: `a_${s}`, version: 1 },
      { namespace: `a_${s}`, version: 2 },
      { namespace: `b_${s}`, version: 1 },
    ]);
    expect(await migrateSets(opened.storage, sets)).toEqual([]);
    expect(await pendingMigrationsOf(opened.storage, sets)).toEqual([]);
    const rows = await opened.storage.query<{ namespace: string; version: number }>(
      'SELECT namespace, version FROM oc_schema_migrations WHERE namespace IN ($1, $2, $3) ORDER BY namespace, version',
      ['server', `a_${s}`, `b_${s}`],
    );
    expect(rows.rows.map((r) => `${r.namespace}/${r.version}`)).toEqual([
      `a_${s}/1`,
      `a_${s}/2`,
      `b_${s}/1`,
      ...MIGRATIONS.map((m) => `server/${m.version}`),
    ]);
    // The same version number in two namespaces is two migrations; the column added by a_/2 exists.
    await opened.storage.query(`INSERT INTO t_a_${s} (id, v) VALUES (1, 'x')`);
  });

  it('checks checksums per namespace: a changed file of one namespace stops the start', async () => {
    const s = fresh();
    await migrateSets(opened.storage, [setA(s), setB(s)]);
    const a = setA(s);
    const changed: MigrationSet = {
      namespace: a.namespace,
      migrations: a.migrations.map((m) => (m.version === 2 ? { ...m, sql: `${m.sql} -- edited` } : m)),
    };
    const error = await migrateSets(opened.storage, [setB(s), changed]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toContain(`migration a_${s}/2 (two) differs`);
    await expect(pendingMigrationsOf(opened.storage, [changed])).rejects.toBeInstanceOf(MigrationError);
    // The same SQL under another namespace is a different, unapplied migration.
    const moved = await pendingMigrationsOf(opened.storage, [{ ...changed, namespace: `c_${s}` }]);
    expect(moved.map((p) => p.migration.version)).toEqual([1, 2]);
  });

  it('runs a failing migration not at all and keeps the earlier ones of its namespace', async () => {
    const s = fresh();
    const broken: MigrationSet = {
      namespace: `d_${s}`,
      migrations: [
        { version: 1, name: 'ok', sql: `CREATE TABLE t_d_${s} (id integer)` },
        { version: 2, name: 'bad', sql: `CREATE TABLE t_d2_${s} (id integer); SELECT * FROM no_such_${s}` },
      ],
    };
    await expect(migrateSets(opened.storage, [broken])).rejects.toThrow();
    const left = await pendingMigrationsOf(opened.storage, [broken]);
    expect(left.map((p) => p.migration.version)).toEqual([2]);
    const t = await opened.storage.query<{ t: string | null }>(`SELECT to_regclass('t_d2_${s}')::text AS t`);
    expect(t.rows[0]?.t).toBeNull();
  });

  it('refuses malformed sets before touching the database', async () => {
    const bad: MigrationSet[][] = [
      [{ namespace: 'Bad-Name', migrations: [] }],
      [{ namespace: '', migrations: [] }],
      [setA('x'), setA('x')],
      [
        {
          namespace: 'v',
          migrations: [
            { version: 2, name: 'b', sql: '' },
            { version: 1, name: 'a', sql: '' },
          ],
        },
      ],
      [{ namespace: 'v', migrations: [{ version: 0, name: 'a', sql: '' }] }],
      [{ namespace: 'v', migrations: [{ version: 1.5, name: 'a', sql: '' }] }],
      [{ namespace: 'v', migrations: [{ version: 1, name: '', sql: '' }] }],
    ];
    for (const sets of bad) {
      await expect(migrateSets(opened.storage, sets)).rejects.toBeInstanceOf(MigrationError);
    }
  });
});

describe.each(storageFactories)('bookkeeping of 0.1 (version-only key) on $name', (factory) => {
  it('is upgraded to (namespace, version) without re-running the applied server migrations', async () => {
    const opened = await factory.open();
    try {
      const { storage } = opened;
      // Put the table back the way 0.1 created it, with the applied server rows.
      const applied = await storage.query<{
        version: number;
        name: string;
        checksum: string;
        applied_at: Date;
      }>(`SELECT version, name, checksum, applied_at FROM oc_schema_migrations WHERE namespace = 'server'`);
      await storage.query('DROP TABLE oc_schema_migrations');
      await storage.query(
        'CREATE TABLE oc_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL)',
      );
      for (const r of applied.rows) {
        await storage.query('INSERT INTO oc_schema_migrations VALUES ($1, $2, $3, $4)', [
          r.version,
          r.name,
          r.checksum,
          r.applied_at,
        ]);
      }
      expect(await pendingMigrationsOf(storage, [SERVER_MIGRATIONS, setB('old')])).toHaveLength(1);
      expect(await migrateSets(storage, [SERVER_MIGRATIONS, setB('old')])).toEqual([
        { namespace: 'b_old', version: 1 },
      ]);
      const rows = await storage.query<{ namespace: string; version: number }>(
        'SELECT namespace, version FROM oc_schema_migrations ORDER BY namespace, version',
      );
      expect(rows.rows.map((r) => `${r.namespace}/${r.version}`)).toEqual([
        'b_old/1',
        ...MIGRATIONS.map((m) => `server/${m.version}`),
      ]);
    } finally {
      await opened.cleanup();
    }
  });
});

describe('concurrent starts on one PostgreSQL', () => {
  it('apply every migration of every namespace exactly once', async () => {
    const opened = await storageFactories[1]!.open({ poolMax: 8 });
    try {
      const s = fresh();
      const sets = [SERVER_MIGRATIONS, setA(s), setB(s)];
      const results = await Promise.all(Array.from({ length: 6 }, () => migrateSets(opened.storage, sets)));
      expect(
        results
          .flat()
          .map((m) => `${m.namespace}/${m.version}`)
          .sort(),
      ).toEqual([`a_${s}/1`, `a_${s}/2`, `b_${s}/1`]);
    } finally {
      await opened.cleanup();
    }
  });
});
