/**
 * apps/api's own migration set (server.md §5.1: `oc_demo_operation`). Kept in its own bookkeeping table so
 * that it never interferes with the server package's numbering; same rules: one transaction per file with
 * its row, a transaction-scoped advisory lock so concurrent starts on one PostgreSQL apply each file once, and
 * a checksum mismatch of an applied file stops the start.
 */
import { createHash } from 'node:crypto';
import type { SqlExecutor, Storage } from '@offcode/server';

export interface ApiMigration {
  version: number;
  name: string;
  sql: string;
}

export const API_MIGRATIONS: readonly ApiMigration[] = [
  {
    version: 1,
    name: 'demo-operation',
    sql: `
CREATE TABLE oc_demo_operation (
  id uuid PRIMARY KEY,
  activation_id uuid NOT NULL,
  user_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('personalized', 'non-personalized')),
  template text NOT NULL CHECK (template IN ('payment', 'login')),
  protocol_version smallint NOT NULL CHECK (protocol_version IN (3, 4)),
  operation_id text NOT NULL,
  operation_data text NOT NULL,
  title text NOT NULL,
  message text NOT NULL,
  data text NOT NULL,
  offline_data text NOT NULL,
  nonce text NOT NULL,
  proximity_seed bytea,
  proximity_seed_encryption smallint NOT NULL DEFAULT 0,
  step_length integer,
  allow_biometry boolean NOT NULL,
  component_length smallint NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'APPROVED')),
  last_result jsonb,
  created_at timestamptz NOT NULL,
  expires_at timestamptz
);
CREATE INDEX oc_demo_operation_created_idx ON oc_demo_operation (created_at);
`,
  },
];

/** Advisory lock key ("ofc" + 0xa1): distinct from the server package's migration lock. */
const LOCK_KEY = 0x6f6663a1;

const checksum = (m: ApiMigration): string => createHash('sha256').update(m.sql, 'utf8').digest('hex');

async function applied(tx: SqlExecutor): Promise<Map<number, string>> {
  const rows = await tx.query<{ version: number; checksum: string }>(
    'SELECT version, checksum FROM oc_api_schema_migrations',
  );
  return new Map(rows.rows.map((r) => [Number(r.version), r.checksum]));
}

/** Applies the pending apps/api migrations; returns the versions applied by this call. */
export async function migrateApi(
  storage: Storage,
  migrations: readonly ApiMigration[] = API_MIGRATIONS,
): Promise<number[]> {
  const done: number[] = [];
  for (const m of migrations) {
    const ran = await storage.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      await tx.query(
        'CREATE TABLE IF NOT EXISTS oc_api_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL)',
      );
      const versions = await applied(tx);
      for (const other of migrations) {
        const sum = versions.get(other.version);
        if (sum !== undefined && sum !== checksum(other)) {
          throw new Error(
            `apps/api migration ${other.version} (${other.name}) differs from the applied one; refusing to start`,
          );
        }
      }
      if (versions.has(m.version)) return false;
      await storage.execScript(tx, m.sql);
      await tx.query(
        'INSERT INTO oc_api_schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)',
        [m.version, m.name, checksum(m), new Date()],
      );
      return true;
    });
    if (ran) done.push(m.version);
  }
  return done;
}
