/**
 * The storage interface: a SQL executor with transactions. Both implementations (PGlite and PostgreSQL
 * through `pg`) run the same migrations and the same queries; only connection handling differs.
 */

export interface QueryResult<R> {
  rows: R[];
  /** Rows returned or affected. */
  rowCount: number;
}

export interface SqlExecutor {
  /** One statement with `$n` parameters. Values: string, number, boolean, null, Date, Uint8Array. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export interface TransactionOptions {
  /** `SET LOCAL lock_timeout` for this transaction (row locks wait at most this long). */
  lockTimeoutMs?: number;
}

export type StorageKind = 'pglite' | 'postgresql';

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
  close(): Promise<void>;
}

/** What a database failure means for the caller. */
export type StorageErrorKind =
  /** Lock timeout, serialization failure, deadlock (55P03, 40001, 40P01): retry. */
  | 'busy'
  /** Connection lost, refused, terminated, database shutting down. */
  | 'unavailable'
  /** Unique violation (23505); `constraint` names the index. */
  | 'unique'
  | 'other';

/** A database failure, with the SQLSTATE when there is one. Messages of the driver are kept internal. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly kind: StorageErrorKind;
  readonly sqlState: string | null;
  readonly constraint: string | null;

  constructor(kind: StorageErrorKind, sqlState: string | null, constraint: string | null, cause: unknown) {
    super(`database error (${kind}${sqlState ? `, SQLSTATE ${sqlState}` : ''})`, { cause });
    this.kind = kind;
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
