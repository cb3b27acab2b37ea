/**
 * PostgreSQL through `pg`: a pool of connections, one per transaction, and a few shared connections in pipeline
 * mode for single statements outside a transaction.
 */
import type { Writable } from 'node:stream';
import pg from 'pg';
import {
  type QueryResult,
  type SqlExecutor,
  type Storage,
  StorageError,
  type StorageStats,
  type TransactionOptions,
  toStorageError,
} from './types.js';

export interface PostgresStorageOptions {
  connectionString: string;
  /** Pool size (OFFCODE_DB_POOL_MAX). */
  poolMax?: number;
  /** Schema to use (search_path), e.g. a per-test schema; default the server's search_path. */
  schema?: string;
  /** Give up connecting after this long. */
  connectionTimeoutMs?: number;
}

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** pg sends a Uint8Array that is not a Buffer as text: hand it a Buffer view instead. */
function prepare(params: readonly unknown[] = []): unknown[] {
  return params.map((p) =>
    p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p,
  );
}

/**
 * Names for parameterised statements: each distinct SQL text gets a name the first time it is sent, so every
 * connection parses and plans it once and afterwards only binds and executes it (a prepared statement).
 * The statements of the engine are a small fixed set; past MAX_NAMED texts the rest go unnamed.
 */
const MAX_NAMED = 512;
const statementNames = new Map<string, string>();

function statementName(sql: string): string | undefined {
  let name = statementNames.get(sql);
  if (name === undefined && statementNames.size < MAX_NAMED) {
    name = `oc_${statementNames.size}`;
    statementNames.set(sql, name);
  }
  return name;
}

/** A parameterised statement as a named (prepared) query; a text without parameters as a simple query. */
function toQuery(sql: string, params?: readonly unknown[]): string | pg.QueryConfig {
  if (params === undefined || params.length === 0) return sql;
  const name = statementName(sql);
  return name === undefined
    ? { text: sql, values: prepare(params) }
    : { name, text: sql, values: prepare(params) };
}

/** The socket under a pg client (undefined if pg's internals ever change: writes then go out uncoalesced). */
const socketOf = (client: pg.Client | pg.PoolClient): Partial<Writable> | undefined =>
  (client as unknown as { connection?: { stream?: Partial<Writable> } }).connection?.stream;

/**
 * Everything written to `stream` from the first call until `schedule` runs goes out in one write: the socket
 * is corked at the first call and uncorked by `schedule`. `pg` corks around each statement's messages itself;
 * the counts nest, so its own uncork no longer flushes.
 * - `process.nextTick` (a transaction): its statements of one tick (BEGIN with the lock statement, the last
 *   statement with COMMIT) in one system call each instead of two; nothing waits longer than the tick.
 * - `setImmediate` (shared statements): the statements of all requests whose I/O this event-loop turn handled
 *   go out together; nothing waits longer than the turn.
 */
function coalesceWrites(
  stream: Partial<Writable> | undefined,
  schedule: (fn: () => void) => unknown,
): () => void {
  if (typeof stream?.cork !== 'function' || typeof stream.uncork !== 'function') return () => undefined;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    stream.uncork?.();
  };
  return () => {
    if (corked) return;
    corked = true;
    stream.cork?.();
    schedule(uncork);
  };
}

/** A multi-statement string yields one result per statement: keep the last. */
function lastResult(result: pg.QueryResult | pg.QueryResult[]): pg.QueryResult {
  return Array.isArray(result) ? result[result.length - 1]! : result;
}

/** Normalises pg row values: Buffers become plain Uint8Array views (same bytes, no copy). */
function normaliseRows<R>(rows: Record<string, unknown>[]): R[] {
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      const v = row[key];
      if (Buffer.isBuffer(v)) row[key] = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    }
  }
  return rows as R[];
}

export async function openPostgresStorage(options: PostgresStorageOptions): Promise<Storage> {
  if (options.schema !== undefined && !SCHEMA_RE.test(options.schema)) {
    throw new TypeError('schema must be a lower-case SQL identifier');
  }
  const connection = {
    connectionString: options.connectionString,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    // Statements issued without waiting for the previous answer go out at once (one round trip for BEGIN
    // and the first statements of a transaction); a sequence of awaited statements is unchanged.
    pipeline: true,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  };
  const pool = new pg.Pool({ ...connection, max: options.poolMax ?? 10 });
  // An idle client that loses its connection emits here; without a listener the process would crash.
  pool.on('error', () => undefined);
  const storage = new PostgresStorage(pool, new SharedStatements(() => new pg.Client(connection)));
  await storage.ping();
  return storage;
}

/** Connections that single statements outside a transaction share (beside the pool). */
export const SHARED_CONNECTIONS = 2;

interface SharedConnection {
  client: pg.Client;
  connected: Promise<unknown>;
  /** Statements sent and not yet answered. */
  pending: number;
  broken: boolean;
  flush: () => void;
}

/**
 * Single statements outside a transaction (reads, the registry's one-statement insert, pings) on up to
 * `SHARED_CONNECTIONS` connections in pipeline mode, instead of checking a pooled connection out and back
 * in for each: concurrent statements share the connection's round trips, and a statement goes to the
 * connection with the fewest unanswered statements, so one slow statement holds up the others only when
 * every shared connection is busy. Each statement keeps its own Sync (its own implicit transaction and
 * error). A connection that failed is dropped and replaced by the next statement.
 */
class SharedStatements {
  readonly #connect: () => pg.Client;
  readonly #slots: (SharedConnection | null)[] = Array.from({ length: SHARED_CONNECTIONS }, () => null);

  constructor(connect: () => pg.Client) {
    this.#connect = connect;
  }

  /** The connection with the fewest unanswered statements; an empty slot is filled while the others are busy. */
  #pick(): SharedConnection {
    let best: SharedConnection | null = null;
    let empty = -1;
    for (let i = 0; i < this.#slots.length; i++) {
      const slot = this.#slots[i];
      if (slot && !slot.broken) {
        if (best === null || slot.pending < best.pending) best = slot;
      } else if (empty < 0) empty = i;
    }
    if (best !== null && (best.pending === 0 || empty < 0)) return best;
    return this.#open(empty);
  }

  #open(index: number): SharedConnection {
    const old = this.#slots[index];
    if (old) old.client.end().catch(() => undefined);
    const client = this.#connect();
    const slot: SharedConnection = {
      client,
      connected: Promise.resolve(),
      pending: 0,
      broken: false,
      flush: () => undefined,
    };
    // A lost connection emits 'error' (and 'end'); its unanswered statements fail on their own.
    const drop = (): void => {
      slot.broken = true;
    };
    client.on('error', drop);
    client.on('end', drop);
    slot.connected = client.connect().then(
      () => {
        slot.flush = coalesceWrites(socketOf(client), setImmediate);
      },
      (error: unknown) => {
        slot.broken = true;
        throw error;
      },
    );
    slot.connected.catch(() => undefined); // awaited by each statement
    this.#slots[index] = slot;
    return slot;
  }

  async query(sql: string, params?: readonly unknown[]): Promise<pg.QueryResult> {
    const slot = this.#pick();
    slot.pending++;
    try {
      await slot.connected;
      slot.flush();
      return lastResult(await slot.client.query(toQuery(sql, params)));
    } catch (error) {
      const mapped = toStorageError(error);
      if (mapped.reason === 'unavailable') slot.broken = true;
      throw mapped;
    } finally {
      slot.pending--;
    }
  }

  /** Called once, by the storage's own `close` (which refuses statements from then on). */
  async close(): Promise<void> {
    await Promise.all(
      this.#slots.map((slot) => slot?.connected.then(() => slot.client.end()).catch(() => undefined)),
    );
  }
}

class PostgresStorage implements Storage {
  readonly kind = 'postgresql' as const;
  readonly #pool: pg.Pool;
  readonly #shared: SharedStatements;
  #closed = false;

  constructor(pool: pg.Pool, shared: SharedStatements) {
    this.#pool = pool;
    this.#shared = shared;
  }

  async query<R = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>> {
    if (this.#closed) throw new StorageError('unavailable', null, null, new Error('storage is closed'));
    try {
      const result = await this.#shared.query(sql, params);
      return { rows: normaliseRows<R>(result.rows), rowCount: result.rowCount ?? result.rows.length };
    } catch (error) {
      throw toStorageError(error);
    }
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    if (this.#closed) throw new StorageError('unavailable', null, null, new Error('storage is closed'));
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw toStorageError(error);
    }
    let broken = false;
    // A connection killed while checked out emits 'error' on the client; the next query fails anyway.
    const onError = (): void => {
      broken = true;
    };
    client.on('error', onError);
    const coalesce = coalesceWrites(socketOf(client), process.nextTick);
    // Set by `tx.commit` (a closure: a plain `let` would read as never assigned below).
    const sent: { commit: Promise<unknown> | null } = { commit: null };
    const run = async <R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> => {
      try {
        coalesce();
        const result = lastResult(await client.query(toQuery(sql, params)));
        // COMMIT in an aborted transaction (a pipelined statement before it failed) answers ROLLBACK.
        if (sql === 'COMMIT' && result.command === 'ROLLBACK')
          throw new StorageError('other', null, null, new Error('COMMIT answered ROLLBACK'));
        return { rows: normaliseRows<R>(result.rows), rowCount: result.rowCount ?? result.rows.length };
      } catch (error) {
        const mapped = toStorageError(error);
        if (mapped.reason === 'unavailable') broken = true;
        throw mapped;
      }
    };
    let open = true;
    // BEGIN and the lock timeout (simple protocol, two statements) are sent without waiting: the statements
    // `fn` issues before its first await follow in the same round trip (pipeline mode). Every statement's
    // answer is handed out only once BEGIN has succeeded, so nothing is built on a statement that ran
    // outside the transaction; a failed BEGIN fails the transaction (the statements behind it are answered
    // but never used, and ROLLBACK follows).
    const begin = run(
      options.lockTimeoutMs === undefined
        ? 'BEGIN'
        : `BEGIN; SET LOCAL lock_timeout = ${Math.trunc(options.lockTimeoutMs)}`,
    );
    begin.catch(() => undefined); // awaited below and by every statement
    const tx: SqlExecutor = {
      query: <R>(sql: string, params?: readonly unknown[]) => {
        if (!open) throw new Error('transaction already finished');
        const answer = run<R>(sql, params);
        return begin.then(
          () => answer,
          (error: unknown) => {
            answer.catch(() => undefined);
            throw error;
          },
        );
      },
      // COMMIT behind the statements sent so far, without waiting (one write with a statement sent in the
      // same tick); the transaction answers once it returned.
      commit: () => {
        if (!open) throw new Error('transaction already finished');
        open = false;
        sent.commit = run('COMMIT');
        sent.commit.catch(() => undefined); // awaited below
      },
    };
    try {
      const result = await fn(tx);
      await begin; // when fn sent nothing
      open = false;
      await (sent.commit ?? run('COMMIT'));
      return result;
    } catch (error) {
      open = false;
      // After a sent COMMIT the transaction is over either way (committed, or rolled back by the database).
      if (sent.commit) await sent.commit.catch(() => undefined);
      else if (!broken) await run('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', onError);
      // A broken connection is destroyed instead of going back to the pool.
      client.release(broken ? true : undefined);
    }
  }

  async execScript(tx: SqlExecutor, sql: string): Promise<void> {
    // pg runs a parameterless multi-statement string through the simple protocol.
    await tx.query(sql);
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  /** The transaction pool's numbers; the shared statement connections (at most `SHARED_CONNECTIONS`) are not in them. */
  stats(): StorageStats {
    const pool = this.#pool;
    return {
      max: pool.options.max ?? 10,
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#shared.close(), this.#pool.end()]);
  }
}
