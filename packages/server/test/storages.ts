/**
 * The two real storages every behavioural suite runs against (describe.each over these factories):
 * PGlite in memory, and the PostgreSQL at 127.0.0.1:5432 in a fresh schema per suite, dropped afterwards.
 * PGlite starts from the migrated template (pglite-template.ts: initdb once per run, not per suite); the
 * runner still checks it. The path without a dump: pglite-template.test.ts (initdb beside a loaded template),
 * pglite-lock.test.ts (directories), readiness.test.ts.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStorage } from '../src/storage/open.js';
import { pgliteTemplate } from '../src/storage/pglite-template.js';
import type { Storage } from '../src/storage/types.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface OpenedStorage {
  storage: Storage;
  /** PostgreSQL: the schema of this run (for side connections); PGlite: null. */
  schema: string | null;
  /** Closes the storage and drops the schema. */
  cleanup(): Promise<void>;
}

export interface StorageFactory {
  name: 'pglite' | 'postgresql';
  open(options?: { poolMax?: number }): Promise<OpenedStorage>;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export const pgliteFactory: StorageFactory = {
  name: 'pglite',
  async open() {
    const storage = await openStorage(
      { databaseUrl: null, dataDir: 'memory://', dbPoolMax: 1, autoMigrate: true },
      { pgliteDump: await pgliteTemplate() },
    );
    return { storage, schema: null, cleanup: () => storage.close() };
  },
};

export const postgresFactory: StorageFactory = {
  name: 'postgresql',
  async open(options = {}) {
    const schema = `oc_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(`CREATE SCHEMA ${schema}`);
    const storage = await openStorage(
      { databaseUrl: TEST_DATABASE_URL, dataDir: '', dbPoolMax: options.poolMax ?? 10, autoMigrate: true },
      { schema },
    );
    return {
      storage,
      schema,
      async cleanup() {
        await storage.close();
        await adminQuery(`DROP SCHEMA ${schema} CASCADE`);
      },
    };
  },
};

export const storageFactories: StorageFactory[] = [pgliteFactory, postgresFactory];

/** A side connection into the same schema (PostgreSQL only): to kill backends or inspect locks. */
export async function sideConnection(schema: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
  await client.connect();
  return client;
}
