/**
 * `server.tables(namespace)` (server.md §5.7): the one way a table set's owner reaches its tables — statements
 * in transactions (busy retries and error mapping as the services have them) checked by the scope guard, and
 * sealing of its declared sealed columns with the server's at-rest cipher under their own AAD purpose.
 */
import { aad, type SealedValue } from './at-rest.js';
import type { ServerContext } from './context.js';
import { MigrationError, migrateSets, pendingMigrationsOf } from './storage/migrate.js';
import { forbiddenTablesBySet, foreignTables, TableScopeError, type TableSet } from './storage/table-set.js';
import { type QueryResult, type SqlExecutor, StorageError } from './storage/types.js';
import { mapUnexpected } from './transactions.js';

/** Statements on the tables of one table set (inside a transaction of `OwnedTables.transaction`). */
export interface TableExecutor {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export interface OwnedTables {
  readonly namespace: string;
  /**
   * Runs `fn` in one transaction (COMMIT, or ROLLBACK when it throws). Busy errors (lock timeout,
   * serialization failure, deadlock) re-run `fn` up to 3 times, so it must have no effect outside the
   * transaction; database failures surface as OffcodeError OFF-0201 / ERR0000, errors of `fn` unchanged.
   * A statement naming a table outside the set throws TableScopeError.
   */
  transaction<T>(fn: (tx: TableExecutor) => Promise<T>): Promise<T>;
  /** One statement in its own transaction. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Seals a value of a declared sealed column (`purpose` = `table.column`) for the row `rowKey`. */
  seal(purpose: string, rowKey: string, plaintext: Uint8Array): SealedValue;
  /** Opens a value sealed by `seal` (or stored in plaintext, encryption 0): ERR0020..ERR0022 as for keys. */
  open(purpose: string, rowKey: string, stored: Uint8Array, encryption: number): Uint8Array;
}

const RETRIES = 3;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function guarded(tx: SqlExecutor, namespace: string, forbidden: ReadonlySet<string>): TableExecutor {
  return {
    query<R>(sql: string, params?: readonly unknown[]) {
      const foreign = foreignTables(sql, forbidden);
      if (foreign.length > 0) {
        return Promise.reject(
          new TableScopeError(`a statement of table set ${namespace} names ${foreign.join(', ')}`),
        );
      }
      return tx.query<R>(sql, params);
    },
  };
}

function accessFor(ctx: ServerContext, set: TableSet, forbidden: ReadonlySet<string>): OwnedTables {
  const purpose = (p: string): string => {
    if (!set.purposes.includes(p)) {
      throw new TableScopeError(`${p} is not a sealed column of table set ${set.namespace}`);
    }
    return p;
  };
  async function transaction<T>(fn: (tx: TableExecutor) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await ctx.storage.transaction((tx) => fn(guarded(tx, set.namespace, forbidden)));
      } catch (error) {
        if (!(error instanceof StorageError)) throw error;
        if (error.reason === 'busy' && attempt < RETRIES) {
          await sleep(10 * 2 ** attempt + Math.random() * 20 * 2 ** attempt);
          continue;
        }
        throw mapUnexpected(error);
      }
    }
  }
  return {
    namespace: set.namespace,
    transaction,
    query: (sql, params) => transaction((tx) => tx.query(sql, params)),
    seal: (p, rowKey, plaintext) => ctx.cipher.seal(plaintext, aad.tableSetColumn(purpose(p), rowKey)),
    open: (p, rowKey, stored, encryption) =>
      ctx.cipher.open(stored, encryption, aad.tableSetColumn(purpose(p), rowKey)),
  };
}

/**
 * Start-up work for the registered table sets: migrate them with the one runner (OFFCODE_AUTO_MIGRATE), or
 * refuse when one is behind; returns `tables(namespace)`.
 */
export async function prepareTableSets(
  ctx: ServerContext,
  sets: readonly TableSet[],
): Promise<(namespace: string) => OwnedTables> {
  const forbidden = forbiddenTablesBySet(sets);
  if (sets.length > 0) {
    if (ctx.config.autoMigrate) {
      await migrateSets(ctx.storage, sets);
    } else {
      const pending = await pendingMigrationsOf(ctx.storage, sets);
      if (pending.length > 0) {
        const list = pending.map((p) => `${p.namespace}/${p.migration.version}`).join(', ');
        throw new MigrationError(
          `the database schema is behind (pending migrations ${list}) and OFFCODE_AUTO_MIGRATE=false`,
        );
      }
    }
  }
  const access = new Map(
    sets.map((s) => [s.namespace, accessFor(ctx, s, forbidden.get(s.namespace) ?? new Set())]),
  );
  return (namespace: string): OwnedTables => {
    const found = access.get(namespace);
    if (!found) throw new TableScopeError(`no table set ${JSON.stringify(namespace)} is registered`);
    return found;
  };
}
