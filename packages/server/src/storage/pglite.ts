/**
 * Embedded PostgreSQL (PGlite, WebAssembly): a data directory or `memory://`, one serialized connection.
 *
 * PGlite has no locking of its own: two processes on one data directory both accept the same code, lose
 * writes and break indexes. A directory is therefore held with an exclusive lock file (@offcode/lockfile)
 * inside it, `<dataDir>/offcode.lock` (PostgreSQL ignores unknown files in its data directory), for the
 * storage's lifetime: a second opener fails with one clear line; a lock left by a killed process is taken
 * over at the next start (server.md, storage).
 */
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { acquireLock, LockfileError, type LockHandle } from '@offcode/lockfile';
import { AsyncMutex } from './mutex.js';
import {
  type QueryResult,
  type SqlExecutor,
  type Storage,
  StorageError,
  type StorageStats,
  type TransactionOptions,
  toStorageError,
} from './types.js';

export interface PgliteStorageOptions {
  /** Directory path (or `file://` path), or `memory://` (default) for a throw-away database. */
  dataDir?: string;
  /** How long to wait for another process to let go of the directory (default 1000 ms). */
  lockTimeoutMs?: number;
  /**
   * `memory://` only: start from this data-directory dump (`dumpPgliteStorage`, e.g. a migrated template of
   * the test suites) instead of running initdb.
   */
  loadDataDir?: Blob;
}

/** The lock file inside a PGlite data directory. */
export const PGLITE_LOCK_FILE = 'offcode.lock';

type Db = PGlite;

/** The optional peer dependency: PostgreSQL users (`DATABASE_URL`) never install or load it. */
const PGLITE_MODULE = '@electric-sql/pglite';

/** Loads PGlite on first use; a missing install is one line naming the package and the alternative. */
async function loadPglite(): Promise<typeof PGlite> {
  try {
    return (await import('@electric-sql/pglite')).PGlite;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(`'${PGLITE_MODULE}'`)) {
      throw new StorageError(
        'unavailable',
        null,
        null,
        error,
        `the embedded database needs the optional peer dependency ${PGLITE_MODULE}: npm install ${PGLITE_MODULE}@^0.5.17, or set DATABASE_URL to use PostgreSQL`,
      );
    }
    throw error;
  }
}

const errno = (e: unknown): string => {
  const code = e instanceof LockfileError ? (e.cause as { code?: unknown } | undefined)?.code : undefined;
  const direct = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : typeof direct === 'string' ? direct : 'error';
};

/** The directory PGlite will use on this file system (its own reading of dataDir), or null for memory. */
export function pgliteDirectory(dataDir: string): string | null {
  if (dataDir.startsWith('file://')) return dataDir.slice('file://'.length) || null;
  if (dataDir === '' || /^(memory|idb|opfs-ahp|memfs2opfs):\/\//.test(dataDir)) return null;
  return dataDir;
}

async function lockDataDirectory(dir: string, timeoutMs: number): Promise<LockHandle> {
  try {
    await fs.mkdir(dir); // not recursive, like PGlite: a mistyped parent is an error, not a new tree
  } catch (error) {
    if (errno(error) !== 'EEXIST') {
      throw new StorageError(
        'unavailable',
        null,
        null,
        error,
        `PGlite data directory ${dir} cannot be created (${errno(error)})`,
      );
    }
  }
  try {
    return await acquireLock(join(dir, PGLITE_LOCK_FILE), { timeoutMs, retryMs: 100 });
  } catch (error) {
    if (error instanceof LockfileError && error.code === 'LOCKED') {
      const h = error.holder;
      const by = h
        ? `process ${h.pid}${h.hostname === hostname() ? '' : ` on ${h.hostname}`}`
        : 'another process';
      throw new StorageError(
        'unavailable',
        null,
        null,
        error,
        `PGlite data directory ${dir} is in use by ${by}; one process per embedded directory (use PostgreSQL via DATABASE_URL for more)`,
      );
    }
    throw new StorageError(
      'unavailable',
      null,
      null,
      error,
      `PGlite data directory ${dir} cannot be locked (${errno(error)})`,
    );
  }
}

export async function openPgliteStorage(options: PgliteStorageOptions = {}): Promise<Storage> {
  const dataDir = options.dataDir ?? 'memory://';
  const dir = pgliteDirectory(dataDir);
  if (options.loadDataDir && dir !== null) {
    // A dump loaded over an existing directory would be a second history of it: only fresh memory databases.
    throw new TypeError(`a PGlite dump can only be loaded into memory://, not ${dir}`);
  }
  const PGliteClass = await loadPglite();
  const lock = dir === null ? null : await lockDataDirectory(resolve(dir), options.lockTimeoutMs ?? 1000);
  let db: Db;
  try {
    db = options.loadDataDir
      ? await PGliteClass.create({ dataDir, loadDataDir: options.loadDataDir })
      : await PGliteClass.create(dataDir);
  } catch (error) {
    await lock?.release().catch(() => undefined);
    throw new StorageError('unavailable', null, null, error);
  }
  return new PgliteStorage(db, lock);
}

/** The data directory of an open PGlite storage as an uncompressed tar (for `loadDataDir`). */
export async function dumpPgliteStorage(storage: Storage): Promise<Blob> {
  if (!(storage instanceof PgliteStorage)) throw new TypeError('dumpPgliteStorage needs a PGlite storage');
  return await storage.dump();
}

class PgliteStorage implements Storage {
  readonly kind = 'pglite' as const;
  readonly #db: Db;
  readonly #mutex = new AsyncMutex();
  /** Held from open to close (null for memory://). */
  readonly #lock: LockHandle | null;
  #closed = false;

  constructor(db: Db, lock: LockHandle | null) {
    this.#db = db;
    this.#lock = lock;
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

  /** Under the mutex: no transaction is half-way through while PGlite copies its files. */
  dump(): Promise<Blob> {
    return this.#mutex.run(async () => {
      if (this.#closed) throw new StorageError('unavailable', null, null, new Error('storage is closed'));
      return await this.#db.dumpDataDir('none');
    });
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  stats(): StorageStats {
    const entered = this.#mutex.entered;
    return {
      max: 1,
      total: this.#closed ? 0 : 1,
      idle: entered === 0 && !this.#closed ? 1 : 0,
      waiting: Math.max(0, entered - 1),
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#mutex.run(async () => {
      this.#closed = true;
      try {
        await this.#db.close();
      } finally {
        // Only after PGlite has flushed and let go; a lock that cannot be removed is stale once we exit.
        await this.#lock?.release().catch(() => undefined);
      }
    });
  }
}
