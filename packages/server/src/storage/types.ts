/**
 * The storage interface: a SQL executor with transactions. Both implementations (PGlite and PostgreSQL
 * through `pg`) run the same migrations and the same queries; only connection handling differs.
 */

import { OffcodeBaseError } from '@offcode/errors';

export interface QueryResult<R> {
  rows: R[];
  /** Rows returned or affected. */
  rowCount: number;
}

export interface SqlExecutor {
  /** One statement with `$n` parameters. Values: string, number, boolean, null, Date, Uint8Array. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /**
   * A transaction's executor may have it (PostgreSQL): sends COMMIT now, behind the statements already
   * sent, without waiting for their answers (the statement sent just before goes out in the same round
   * trip). The executor then takes no more statements; the transaction still answers only once COMMIT
   * returned, and if a statement before it failed the database rolled back and the transaction fails.
   * Without it, COMMIT follows when `fn` returns.
   */
  commit?(): void;
}

export interface TransactionOptions {
  /** `SET LOCAL lock_timeout` for this transaction (row locks wait at most this long). */
  lockTimeoutMs?: number;
}

export type StorageKind = 'pglite' | 'postgresql';

/**
 * Connection counts at this moment (for pool gauges). PostgreSQL: the `pg` pool's numbers; PGlite: its one
 * connection (`idle` 0 while a statement or transaction holds it) and the callers queued behind it.
 */
export interface StorageStats {
  /** Most connections for transactions (OFFCODE_DB_POOL_MAX; 1 for PGlite). PostgreSQL opens up to 2 more, shared by single statements outside a transaction. */
  max: number;
  /** Open connections, busy or idle. */
  total: number;
  /** Open connections not in use. */
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
}

export interface Storage extends SqlExecutor {
  readonly kind: StorageKind;
  /**
   * Runs `fn` in one transaction (BEGIN … COMMIT, ROLLBACK when it throws). On PGlite all transactions and
   * statements are serialized through an in-process queue (one connection); on PostgreSQL each transaction
   * holds one pooled connection. Never call `storage.query` from inside `fn`: use `tx`.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Runs a multi-statement script (migrations only) inside an open transaction. */
  execScript(tx: SqlExecutor, sql: string): Promise<void>;
  /** `SELECT 1`; throws StorageError when the database is unreachable. */
  ping(): Promise<void>;
  /** Connection counts (both shipped storages have it; a wrapper may leave it out). */
  stats?(): StorageStats;
  close(): Promise<void>;
}

/** What a database failure means for the caller. */
export type StorageErrorReason =
  /** Lock timeout, serialization failure, deadlock (55P03, 40001, 40P01): retry. */
  | 'busy'
  /** Connection lost, refused, terminated, database shutting down. */
  | 'unavailable'
  /** Unique violation (23505); `constraint` names the index. */
  | 'unique'
  | 'other';

/** The 0.1 name of `StorageErrorReason` (the class's `kind` is now the common error kind). */
export type StorageErrorKind = StorageErrorReason;

/**
 * A database failure, with the SQLSTATE when there is one. Messages of the driver are kept internal.
 * `reason` is the storage-level classification (`busy`, `unavailable`: kind `unavailable`, retry later;
 * `unique`, `other`: kind `internal`); `code` is `STORAGE_` + the reason in upper case.
 */
export class StorageError extends OffcodeBaseError {
  override readonly name = 'StorageError';
  readonly reason: StorageErrorReason;
  readonly sqlState: string | null;
  readonly constraint: string | null;

  constructor(
    reason: StorageErrorReason,
    sqlState: string | null,
    constraint: string | null,
    cause: unknown,
    /** Replaces the generic message when there is something the operator can act on (one line). */
    message?: string,
  ) {
    super(
      reason === 'busy' || reason === 'unavailable' ? 'unavailable' : 'internal',
      `STORAGE_${reason.toUpperCase()}`,
      message ?? `database error (${reason}${sqlState ? `, SQLSTATE ${sqlState}` : ''})`,
      { cause },
    );
    this.reason = reason;
    this.sqlState = sqlState;
    this.constraint = constraint;
  }
}

const BUSY = new Set(['55P03', '40001', '40P01']);

/** Maps a driver error to a StorageError. */
export function toStorageError(error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const e = error as { code?: unknown; constraint?: unknown } | null;
  const code = typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : null;
  const constraint = typeof e?.constraint === 'string' ? e.constraint : null;
  if (code === null) return new StorageError('unavailable', null, null, error);
  if (BUSY.has(code)) return new StorageError('busy', code, constraint, error);
  if (code === '23505') return new StorageError('unique', code, constraint, error);
  // 08xxx connection exceptions, 57P0x admin shutdown / crash / cannot connect now, 53xxx resources.
  if (/^(08|57P|53)/.test(code)) return new StorageError('unavailable', code, constraint, error);
  return new StorageError('other', code, constraint, error);
}
