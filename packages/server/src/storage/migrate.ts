/**
 * Migration runner (server.md §5.3): numbered SQL migrations, each in its own transaction together with its
 * `oc_schema_migrations` row, under a transaction-scoped advisory lock so that concurrent starts on one
 * PostgreSQL apply each file once. A changed applied file (checksum mismatch) stops the start.
 */

import { createHash } from 'node:crypto';
import { OffcodeBaseError } from '@offcode/errors';
import { migration0001 } from './migrations/0001-initial.js';
import type { SqlExecutor, Storage } from './types.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Every migration shipped with this version, in order. */
export const MIGRATIONS: readonly Migration[] = [migration0001];

/** Advisory lock key ("ofc" + 1). */
const MIGRATION_LOCK_KEY = 0x6f666301;

export const migrationChecksum = (m: Migration): string =>
  createHash('sha256').update(m.sql, 'utf8').digest('hex');

/** The schema cannot be migrated (unknown newer version, changed checksum, …): a deployment fault. */
export class MigrationError extends OffcodeBaseError {
  override readonly name = 'MigrationError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super('internal', 'MIGRATION_FAILED', message, options);
  }
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS oc_schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL
)`;

async function appliedVersions(tx: SqlExecutor): Promise<Map<number, string>> {
  const exists = await tx.query<{ t: string | null }>(
    `SELECT to_regclass('oc_schema_migrations')::text AS t`,
  );
  if (!exists.rows[0]?.t) return new Map();
  const rows = await tx.query<{ version: number; checksum: string }>(
    'SELECT version, checksum FROM oc_schema_migrations',
  );
  return new Map(rows.rows.map((r) => [Number(r.version), r.checksum]));
}

function checkChecksums(applied: Map<number, string>, migrations: readonly Migration[]): void {
  for (const m of migrations) {
    const sum = applied.get(m.version);
    if (sum !== undefined && sum !== migrationChecksum(m)) {
      throw new MigrationError(
        `migration ${m.version} (${m.name}) differs from the applied one (checksum mismatch); refusing to start`,
      );
    }
  }
}

/** Versions not yet applied (after checking the checksums of the applied ones). */
export async function pendingMigrations(storage: Storage, migrations = MIGRATIONS): Promise<Migration[]> {
  const applied = await storage.transaction((tx) => appliedVersions(tx));
  checkChecksums(applied, migrations);
  return migrations.filter((m) => !applied.has(m.version));
}

/** Applies the pending migrations; returns the versions applied by this call. */
export async function migrate(storage: Storage, migrations = MIGRATIONS): Promise<number[]> {
  const done: number[] = [];
  for (const m of migrations) {
    const applied = await storage.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await tx.query(CREATE_TABLE);
      const versions = await appliedVersions(tx);
      checkChecksums(versions, migrations);
      if (versions.has(m.version)) return false;
      await storage.execScript(tx, m.sql);
      await tx.query(
        'INSERT INTO oc_schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)',
        [m.version, m.name, migrationChecksum(m), new Date()],
      );
      return true;
    });
    if (applied) done.push(m.version);
  }
  return done;
}
