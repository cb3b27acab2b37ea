/**
 * Migration runner (server.md §5.3): one runner for the server's own tables and for the named migration sets
 * of other owners (a namespace each, e.g. `demo` for apps/api's demo table). Each migration runs in its own
 * transaction together with its `oc_schema_migrations` row (namespace, version), under a transaction-scoped
 * advisory lock so that concurrent starts on one PostgreSQL apply each file once. Versions are ordered and
 * checksummed per namespace; a changed applied file (checksum mismatch) stops the start.
 */

import { createHash } from 'node:crypto';
import { OffcodeBaseError } from '@offcode/errors';
import { migration0001 } from './migrations/0001-initial.js';
import { migration0002 } from './migrations/0002-enrollment.js';
import type { SqlExecutor, Storage } from './types.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The migrations of one owner, applied in version order. */
export interface MigrationSet {
  /** `[a-z][a-z0-9_]{0,31}`; `server` is the server package's own set. */
  readonly namespace: string;
  readonly migrations: readonly Migration[];
}

/** A migration that this call applied. */
export interface AppliedMigration {
  readonly namespace: string;
  readonly version: number;
}

/** The namespace of the server package's own migrations. */
export const SERVER_NAMESPACE = 'server';

/** Every migration of the server's own tables shipped with this version, in order. */
export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002];

export const SERVER_MIGRATIONS: MigrationSet = { namespace: SERVER_NAMESPACE, migrations: MIGRATIONS };

/** Advisory lock key ("ofc" + 1), one for every namespace: one runner at a time per database. */
const MIGRATION_LOCK_KEY = 0x6f666301;

const NAMESPACE = /^[a-z][a-z0-9_]{0,31}$/;

export const migrationChecksum = (m: Migration): string =>
  createHash('sha256').update(m.sql, 'utf8').digest('hex');

/** The schema cannot be migrated (unknown newer version, changed checksum, …): a deployment fault. */
export class MigrationError extends OffcodeBaseError {
  override readonly name = 'MigrationError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super('internal', 'MIGRATION_FAILED', message, options);
  }
}

/** Checks the shape of the given sets (namespaces, strictly increasing positive versions, names). */
export function checkMigrationSets(sets: readonly MigrationSet[]): void {
  const seen = new Set<string>();
  for (const set of sets) {
    if (typeof set.namespace !== 'string' || !NAMESPACE.test(set.namespace)) {
      throw new MigrationError(
        `migration namespace ${JSON.stringify(set.namespace)} must match ${NAMESPACE}`,
      );
    }
    if (seen.has(set.namespace)) throw new MigrationError(`migration namespace ${set.namespace} given twice`);
    seen.add(set.namespace);
    let last = 0;
    for (const m of set.migrations) {
      if (!Number.isSafeInteger(m.version) || m.version <= last) {
        throw new MigrationError(
          `migration versions of ${set.namespace} must be positive integers in increasing order (got ${m.version} after ${last})`,
        );
      }
      if (typeof m.name !== 'string' || m.name === '' || typeof m.sql !== 'string') {
        throw new MigrationError(`migration ${set.namespace}/${m.version} needs a name and SQL text`);
      }
      last = m.version;
    }
  }
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS oc_schema_migrations (
  namespace text NOT NULL DEFAULT 'server',
  version integer NOT NULL,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL,
  CONSTRAINT oc_schema_migrations_pkey PRIMARY KEY (namespace, version)
)`;

/** True when the bookkeeping table exists with its `namespace` column (0.1 tables have none). */
async function bookkeeping(tx: SqlExecutor): Promise<'none' | 'v1' | 'v2'> {
  const r = await tx.query<{ t: string | null; ns: boolean }>(
    `SELECT to_regclass('oc_schema_migrations')::text AS t,
            EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('oc_schema_migrations')
                    AND attname = 'namespace' AND NOT attisdropped) AS ns`,
  );
  const row = r.rows[0];
  if (!row?.t) return 'none';
  return row.ns ? 'v2' : 'v1';
}

/**
 * Creates the bookkeeping table, or upgrades the 0.1 one (version-only key, every row the server's) to
 * (namespace, version). Runs under the migration lock.
 */
async function ensureBookkeeping(tx: SqlExecutor): Promise<void> {
  const state = await bookkeeping(tx);
  if (state === 'v2') return;
  if (state === 'none') {
    await tx.query(CREATE_TABLE);
    return;
  }
  await tx.query(`ALTER TABLE oc_schema_migrations ADD COLUMN namespace text NOT NULL DEFAULT 'server'`);
  await tx.query(
    `ALTER TABLE oc_schema_migrations DROP CONSTRAINT oc_schema_migrations_pkey,
       ADD CONSTRAINT oc_schema_migrations_pkey PRIMARY KEY (namespace, version)`,
  );
}

/** Applied versions and checksums per namespace. */
async function appliedVersions(tx: SqlExecutor): Promise<Map<string, Map<number, string>>> {
  const state = await bookkeeping(tx);
  const out = new Map<string, Map<number, string>>();
  if (state === 'none') return out;
  const rows = await tx.query<{ namespace: string; version: number; checksum: string }>(
    state === 'v2'
      ? 'SELECT namespace, version, checksum FROM oc_schema_migrations'
      : `SELECT '${SERVER_NAMESPACE}' AS namespace, version, checksum FROM oc_schema_migrations`,
  );
  for (const r of rows.rows) {
    const ns = out.get(r.namespace) ?? new Map<number, string>();
    ns.set(Number(r.version), r.checksum);
    out.set(r.namespace, ns);
  }
  return out;
}

function checkChecksums(applied: Map<string, Map<number, string>>, sets: readonly MigrationSet[]): void {
  for (const set of sets) {
    const versions = applied.get(set.namespace);
    for (const m of set.migrations) {
      const sum = versions?.get(m.version);
      if (sum !== undefined && sum !== migrationChecksum(m)) {
        throw new MigrationError(
          `migration ${set.namespace}/${m.version} (${m.name}) differs from the applied one (checksum mismatch); refusing to start`,
        );
      }
    }
  }
}

/** The migrations not yet applied, per set in order (after checking the checksums of the applied ones). */
export async function pendingMigrationsOf(
  storage: Storage,
  sets: readonly MigrationSet[],
): Promise<{ namespace: string; migration: Migration }[]> {
  checkMigrationSets(sets);
  const applied = await storage.transaction((tx) => appliedVersions(tx));
  checkChecksums(applied, sets);
  return sets.flatMap((set) =>
    set.migrations
      .filter((m) => !applied.get(set.namespace)?.has(m.version))
      .map((migration) => ({ namespace: set.namespace, migration })),
  );
}

/** Applies the pending migrations of the given sets, set by set in order; returns what this call applied. */
export async function migrateSets(
  storage: Storage,
  sets: readonly MigrationSet[],
): Promise<AppliedMigration[]> {
  checkMigrationSets(sets);
  const done: AppliedMigration[] = [];
  for (const set of sets) {
    for (const m of set.migrations) {
      const applied = await storage.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
        await ensureBookkeeping(tx);
        const versions = await appliedVersions(tx);
        checkChecksums(versions, sets);
        if (versions.get(set.namespace)?.has(m.version)) return false;
        await storage.execScript(tx, m.sql);
        await tx.query(
          'INSERT INTO oc_schema_migrations (namespace, version, name, checksum, applied_at) VALUES ($1, $2, $3, $4, $5)',
          [set.namespace, m.version, m.name, migrationChecksum(m), new Date()],
        );
        return true;
      });
      if (applied) done.push({ namespace: set.namespace, version: m.version });
    }
  }
  return done;
}

/** Applies the server's pending migrations; returns the versions applied by this call. */
export async function migrate(storage: Storage, migrations = MIGRATIONS): Promise<number[]> {
  const done = await migrateSets(storage, [{ namespace: SERVER_NAMESPACE, migrations }]);
  return done.map((m) => m.version);
}

/** The server's migrations not yet applied. */
export async function pendingMigrations(storage: Storage, migrations = MIGRATIONS): Promise<Migration[]> {
  const pending = await pendingMigrationsOf(storage, [{ namespace: SERVER_NAMESPACE, migrations }]);
  return pending.map((p) => p.migration);
}

const sqlLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** The statements that bring the bookkeeping table to (namespace, version) from the state found. */
function bookkeepingScript(state: 'none' | 'v1' | 'v2'): string[] {
  if (state === 'v2') return [];
  if (state === 'none') return [`${CREATE_TABLE};`];
  return [
    `ALTER TABLE oc_schema_migrations ADD COLUMN namespace text NOT NULL DEFAULT '${SERVER_NAMESPACE}';`,
    `ALTER TABLE oc_schema_migrations DROP CONSTRAINT oc_schema_migrations_pkey,
  ADD CONSTRAINT oc_schema_migrations_pkey PRIMARY KEY (namespace, version);`,
  ];
}

/**
 * The pending migrations of the given sets as one SQL script a DBA can review and apply (`psql -v
 * ON_ERROR_STOP=1 -f`): one transaction under the runner's advisory lock, the bookkeeping table, and per
 * migration its SQL followed by its `oc_schema_migrations` row with the same checksum the runner writes, so
 * a later start finds nothing pending. Reads only; an empty `pending` means the script is `null`.
 */
export async function pendingMigrationScript(
  storage: Storage,
  sets: readonly MigrationSet[],
): Promise<{ pending: { namespace: string; migration: Migration }[]; script: string | null }> {
  const pending = await pendingMigrationsOf(storage, sets);
  if (pending.length === 0) return { pending, script: null };
  const state = await storage.transaction((tx) => bookkeeping(tx));
  const parts = [
    `-- Offcode: ${pending.length} pending migration(s): ${pending.map((p) => `${p.namespace}/${p.migration.version} (${p.migration.name})`).join(', ')}`,
    'BEGIN;',
    `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY});`,
    ...bookkeepingScript(state),
  ];
  for (const { namespace, migration: m } of pending) {
    parts.push(
      `-- ${namespace}/${m.version} ${m.name}`,
      /;\s*$/.test(m.sql) ? m.sql.trim() : `${m.sql.trim()};`,
      `INSERT INTO oc_schema_migrations (namespace, version, name, checksum, applied_at) VALUES (${sqlLiteral(namespace)}, ${m.version}, ${sqlLiteral(m.name)}, ${sqlLiteral(migrationChecksum(m))}, now());`,
    );
  }
  parts.push('COMMIT;');
  return { pending, script: `${parts.join('\n')}\n` };
}
