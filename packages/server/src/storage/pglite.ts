/** Embedded PostgreSQL (PGlite, WebAssembly): a data directory or `memory://`, one serialized connection. */
import { PGlite } from '@electric-sql/pglite';
import { AsyncMutex } from './mutex.js';
import {
  type QueryResult,
  type SqlExecutor,
  type Storage,
  StorageError,
  type TransactionOptions,
  toStorageError,
} from './types.js';

export interface PgliteStorageOptions {
  /** Directory path, or `memory://` (default) for a throw-away database. */
  dataDir?: string;
}

type Db = PGlite;

export async function openPgliteStorage(options: PgliteStorageOptions = {}): Promise<Storage> {
  const dataDir = options.dataDir ?? 'memory://';
  let db: Db;
  try {
    db = await PGlite.create(dataDir);
  } catch (error) {
    throw new StorageError('unavailable', null, null, error);
  }
  return new PgliteStorage(db);
}

class PgliteStorage implements Storage {
  readonly kind = 'pglite' as const;
  readonly #db: Db;
  readonly #mutex = new AsyncMutex();
  #closed = false;

  constructor(db: Db) {
    this.#db = db;
  }

  async #raw<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    if (this.#closed) throw new StorageError('unavailable', null, null, new Error('storage is closed'));
    try {
      const result = await this.#db.query<R>(sql, params as unknown[]);
      // PGlite reports affectedRows = 0 for SELECT: count returned rows too.
      return { rows: result.rows, rowCount: Math.max(result.affectedRows ?? 0, result.rows.length) };
    } catch (error) {
      throw toStorageError(error);
    }
  }

  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return this.#mutex.run(() => this.#raw<R>(sql, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.#mutex.run(async () => {
      let open = true;
      const tx: SqlExecutor = {
        query: <R>(sql: string, params?: readonly unknown[]) => {
          if (!open) throw new Error('transaction already finished');
          return this.#raw<R>(sql, params);
        },
      };
      try {
        await this.#db.exec(
          options.lockTimeoutMs === undefined
            ? 'BEGIN'
            : `BEGIN; SET LOCAL lock_timeout = ${Math.trunc(options.lockTimeoutMs)}`,
        );
      } catch (error) {
        throw toStorageError(error);
      }
      try {
        const result = await fn(tx);
        open = false;
        await this.#raw('COMMIT');
        return result;
      } catch (error) {
        open = false;
        await this.#raw('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async execScript(_tx: SqlExecutor, sql: string): Promise<void> {
    // Called from inside transaction(): the mutex is already held, so talk to the connection directly.
    try {
      await this.#db.exec(sql);
    } catch (error) {
      throw toStorageError(error);
    }
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#mutex.run(async () => {
      this.#closed = true;
      await this.#db.close();
    });
  }
}
