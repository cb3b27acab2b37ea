// The PostgreSQL storage's single statements outside a transaction run on shared connections in pipeline
// mode (postgres.ts `SharedStatements`): concurrent statements each get their own answer and their own
// error, a full transaction pool does not hold them up, and a shared connection that dies is replaced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedStorage, postgresFactory, sideConnection } from '../../test/storages.js';
import { SHARED_CONNECTIONS } from './postgres.js';
import { StorageError } from './types.js';

describe('PostgreSQL: single statements on shared connections', () => {
  let opened: OpenedStorage;
  beforeAll(async () => {
    opened = await postgresFactory.open({ poolMax: 1 });
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  it('answers 200 concurrent statements each with its own result, a failing one with its own error', async () => {
    const { storage } = opened;
    const answers = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        i % 50 === 7
          ? storage.query('SELECT 1 / ($1::int - $1::int) AS n', [i])
          : storage.query<{ n: number }>('SELECT $1::int AS n', [i]),
      ),
    );
    answers.forEach((a, i) => {
      if (i % 50 === 7) {
        expect(a.status).toBe('rejected');
        expect((a as PromiseRejectedResult).reason).toBeInstanceOf(StorageError);
        expect((a as PromiseRejectedResult).reason.sqlState).toBe('22012');
      } else expect(a).toEqual({ status: 'fulfilled', value: { rows: [{ n: i }], rowCount: 1 } });
    });
  });

  it(`uses at most ${SHARED_CONNECTIONS} connections beside the pool, and none of the pool's`, async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let entered!: (pid: number) => void;
    const inside = new Promise<number>((r) => {
      entered = r;
    });
    // the pool's one connection is held by a transaction; statements still run, on other backends
    const holder = opened.storage.transaction(async (tx) => {
      const r = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      entered(Number(r.rows[0]!.pid));
      await held;
    });
    const poolPid = await inside;
    const answers = await Promise.all(
      Array.from({ length: 100 }, () =>
        opened.storage.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'),
      ),
    );
    release();
    await holder;
    const pids = new Set(answers.map((r) => Number(r.rows[0]!.pid)));
    expect(pids.size).toBeGreaterThanOrEqual(1);
    expect(pids.size).toBeLessThanOrEqual(SHARED_CONNECTIONS);
    expect(pids.has(poolPid)).toBe(false);
  });

  it('replaces a shared connection whose backend was killed', async () => {
    const { storage } = opened;
    const pid = Number((await storage.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    const side = await sideConnection(opened.schema!);
    try {
      await side.query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await side.end();
    }
    // the statements in flight on the dead connection (if any) fail as "unavailable"; later ones reconnect
    let answered = false;
    for (let i = 0; i < 20 && !answered; i++) {
      try {
        const r = await storage.query<{ n: number }>('SELECT 5 AS n');
        expect(r.rows).toEqual([{ n: 5 }]);
        answered = true;
      } catch (error) {
        expect(error).toBeInstanceOf(StorageError);
        expect((error as StorageError).reason).toBe('unavailable');
      }
    }
    expect(answered).toBe(true);
    const after = await Promise.all(
      Array.from({ length: 20 }, (_, i) => storage.query('SELECT $1::int AS n', [i])),
    );
    expect(after.map((r) => r.rows[0])).toEqual(Array.from({ length: 20 }, (_, i) => ({ n: i })));
  });
});
