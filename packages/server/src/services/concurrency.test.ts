/**
 * Concurrency and crash safety of verification (server.md §5.4, §5.5): the row lock serializes verifies of
 * one activation, exactly one of many parallel identical codes is accepted, different activations do not
 * wait for each other, and a verification interrupted between lock and commit leaves nothing behind.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedDevice } from '../../test/device.js';
import { activateDevice, createApp, makeServer, paymentData, TestClock } from '../../test/harness.js';
import {
  type OpenedStorage,
  postgresFactory,
  sideConnection,
  storageFactories,
} from '../../test/storages.js';
import type { ServerHooks } from '../context.js';
import { OffcodeError } from '../errors.js';
import type { OffcodeServer } from '../server.js';
import type { Storage } from '../storage/types.js';
import type { VerifyOutcome } from './verify.js';

const PARALLEL = 50;

async function settle(p: Promise<VerifyOutcome>): Promise<VerifyOutcome | string> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof OffcodeError) return e.code;
    throw e;
  }
}

/** Everything verification may change, for before/after comparisons. */
async function snapshot(storage: Storage, activationId: string) {
  const row = await storage.query<Record<string, unknown>>(
    `SELECT activation_status, blocked_reason, counter::text AS counter, encode(ctr_data, 'hex') AS ctr, failed_attempts,
            temporary_block_count, block_expires_at, timestamp_last_used, timestamp_last_change
     FROM oc_activation WHERE activation_id = $1`,
    [activationId],
  );
  const audit = await storage.query<{ n: unknown }>(
    'SELECT count(*) AS n FROM oc_auth_audit WHERE activation_id = $1',
    [activationId],
  );
  const history = await storage.query<{ n: unknown }>(
    'SELECT count(*) AS n FROM oc_activation_history WHERE activation_id = $1',
    [activationId],
  );
  const consumed = await storage.query<{ n: unknown }>(
    'SELECT count(*) AS n FROM oc_offline_payload WHERE activation_id = $1 AND consumed_at IS NOT NULL',
    [activationId],
  );
  return {
    row: row.rows[0],
    audit: Number(audit.rows[0]!.n),
    history: Number(history.rows[0]!.n),
    consumed: Number(consumed.rows[0]!.n),
  };
}

describe.each(storageFactories)('concurrency and crash safety on $name', (factory) => {
  let opened: OpenedStorage;
  const clock = new TestClock();
  let server: OffcodeServer;
  let off: OffcodeServer;
  let app: string;

  beforeAll(async () => {
    opened = await factory.open({ poolMax: 30 });
    ({ server } = await makeServer(opened.storage, {}, { clock }));
    ({ server: off } = await makeServer(opened.storage, { OFFCODE_PAYLOAD_REGISTRY: 'off' }, { clock }));
    app = await createApp(server);
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  async function issueCode(s: OffcodeServer, device: SimulatedDevice) {
    const created = await s.offline.createPersonalized(device.protocol, {
      activationId: device.activationId,
      data: paymentData(),
    });
    const payload = device.readPayload(created.offlineData);
    const code = device.computeCode(payload);
    return { payload, code, request: device.verifyRequest(payload, code) };
  }

  it.each([3, 4] as const)(
    `V%i: ${PARALLEL} parallel verifications of one code with the registry: one accepted, the rest OFF-0103`,
    async (version) => {
      const device = await activateDevice(server, app, version);
      const { request } = await issueCode(server, device);
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, () => settle(server.offline.verifyOutcome(version, request))),
      );
      const valid = results.filter((r) => typeof r === 'object' && r.valid);
      expect(valid).toHaveLength(1);
      expect(results.filter((r) => r === 'OFF-0103')).toHaveLength(PARALLEL - 1);
      const status = await server.activations.status({ activationId: device.activationId });
      expect(status).toMatchObject({ counter: 1, failedAttempts: 0, activationStatus: 'ACTIVE' });
      const audit = await server.audit.list({ activationId: device.activationId, limit: 1000 });
      expect(audit.items.filter((i) => i.valid)).toHaveLength(1);
      expect(audit.items.filter((i) => i.note === 'payload_consumed')).toHaveLength(PARALLEL - 1);
    },
  );

  it.each([3, 4] as const)(
    `V%i: ${PARALLEL} parallel verifications without the registry: one accepted, each other one failure`,
    async (version) => {
      const device = await activateDevice(off, app, version, { maxFailureCount: 64 });
      const { request } = await issueCode(off, device);
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, () => off.offline.verifyOutcome(version, request)),
      );
      expect(results.filter((r) => r.valid)).toHaveLength(1);
      // Failures were serialized by the row lock: each saw the previous count, so the answers are all distinct.
      const remaining = results
        .filter((r) => !r.valid)
        .map((r) => r.remainingAttempts)
        .sort((a, b) => a - b);
      expect(remaining).toEqual(Array.from({ length: PARALLEL - 1 }, (_, i) => 64 - (PARALLEL - 1) + i));
      const status = await off.activations.status({ activationId: device.activationId });
      expect(status).toMatchObject({ counter: 1, failedAttempts: PARALLEL - 1, activationStatus: 'ACTIVE' });
      const audit = await off.audit.list({ activationId: device.activationId, limit: 1000 });
      expect(audit.items).toHaveLength(PARALLEL);
      expect(audit.items.filter((i) => i.valid)).toHaveLength(1);
    },
  );

  it('parallel verifications on different activations all succeed with their own counters', async () => {
    const devices = await Promise.all(
      Array.from({ length: 10 }, (_, i) => activateDevice(server, app, i % 2 === 0 ? 3 : 4)),
    );
    const requests = await Promise.all(devices.map((d) => issueCode(server, d)));
    const results = await Promise.all(
      devices.map((d, i) => server.offline.verifyOutcome(d.protocol, requests[i]!.request)),
    );
    expect(results.every((r) => r.valid)).toBe(true);
    for (const d of devices)
      expect((await server.activations.status({ activationId: d.activationId })).counter).toBe(1);
  });

  it.each([3, 4] as const)(
    'V%i: a consumption refused in the writes statement (payload consumed after its check) rolls everything back: OFF-0103',
    async (version) => {
      const device = await activateDevice(server, app, version);
      const { request } = await issueCode(server, device);
      const before = await snapshot(opened.storage, device.activationId);
      // Consumes the payload inside the verification's own transaction, after the lock statement read it
      // unconsumed: the registry check passes and the conditional consume of the writes statement finds
      // nothing to consume, so that statement fails and the COMMIT behind it (pipelined) rolls back.
      const hooks: ServerHooks = {
        afterVerifyLock: async (tx, activationId) => {
          await tx.query(
            'UPDATE oc_offline_payload SET consumed_at = now() WHERE activation_id = $1 AND consumed_at IS NULL',
            [activationId],
          );
        },
      };
      const { server: racing } = await makeServer(opened.storage, {}, { clock, hooks });
      expect(await settle(racing.offline.verifyOutcome(version, request))).toBe('OFF-0103');
      expect(await snapshot(opened.storage, device.activationId)).toEqual(before);
      expect(await settle(server.offline.verifyOutcome(version, request))).toMatchObject({ valid: true });
      expect((await server.activations.status({ activationId: device.activationId })).counter).toBe(1);
    },
  );

  describe.each([
    ['after the lock', 'afterVerifyLock'],
    ['after every write, before COMMIT', 'beforeVerifyCommit'],
  ] as const)('a verification interrupted %s', (_label, hookName) => {
    it.each([3, 4] as const)(
      'V%i leaves the activation as before; the code is then accepted exactly once',
      async (version) => {
        const device = await activateDevice(server, app, version);
        const { request } = await issueCode(server, device);
        const before = await snapshot(opened.storage, device.activationId);
        const hooks: ServerHooks = {
          [hookName]: () => {
            throw new Error('simulated crash');
          },
        };
        const { server: crashing } = await makeServer(opened.storage, {}, { clock, hooks });
        const crashed = await settle(crashing.offline.verifyOutcome(version, request));
        expect(crashed).toBe('ERR0000');
        expect(await snapshot(opened.storage, device.activationId)).toEqual(before);
        // Same for a wrong code: the failure is not counted either.
        const wrong = {
          ...request,
          [version === 3 ? 'signature' : 'authenticationCode']: '00000000-00000000',
        };
        expect(await settle(crashing.offline.verifyOutcome(version, wrong))).toBe('ERR0000');
        expect(await snapshot(opened.storage, device.activationId)).toEqual(before);
        // The caller saw no answer: the same code can still be accepted, once.
        expect(await settle(server.offline.verifyOutcome(version, request))).toMatchObject({ valid: true });
        expect(await settle(server.offline.verifyOutcome(version, request))).toBe('OFF-0103');
        expect(await settle(off.offline.verifyOutcome(version, request))).toMatchObject({ valid: false });
        // A crash while re-verifying an accepted code cannot turn it into an acceptance either.
        expect(await settle(crashing.offline.verifyOutcome(version, request))).toBe('ERR0000');
        expect(await settle(server.offline.verifyOutcome(version, request))).toBe('OFF-0103');
        expect((await server.activations.status({ activationId: device.activationId })).counter).toBe(1);
      },
    );
  });
});

describe('PostgreSQL only: killed connections, lock waits across connections', () => {
  let opened: OpenedStorage;
  let side: pg.Client;
  const clock = new TestClock();
  let server: OffcodeServer;
  let app: string;

  beforeAll(async () => {
    opened = await postgresFactory.open({ poolMax: 20 });
    side = await sideConnection(opened.schema!);
    ({ server } = await makeServer(opened.storage, {}, { clock }));
    app = await createApp(server);
  });
  afterAll(async () => {
    await side?.end();
    await opened?.cleanup();
  });

  it.each([
    [3, 'afterVerifyLock'],
    [4, 'afterVerifyLock'],
    [3, 'beforeVerifyCommit'],
    [4, 'beforeVerifyCommit'],
  ] as const)(
    'V%i: pg_terminate_backend %s rolls everything back (OFF-0201); the code is accepted once afterwards',
    async (version, hookName) => {
      const device = await activateDevice(server, app, version);
      const created = await server.offline.createPersonalized(version, {
        activationId: device.activationId,
        data: paymentData(),
      });
      const payload = device.readPayload(created.offlineData);
      const code = device.computeCode(payload);
      const request = device.verifyRequest(payload, code);
      const before = await snapshot(opened.storage, device.activationId);
      let killed = 0;
      const hooks: ServerHooks = {
        [hookName]: async (tx: { query: Storage['query'] }) => {
          const pid = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
          await side.query('SELECT pg_terminate_backend($1)', [pid]);
          killed++;
        },
      };
      const { server: killing } = await makeServer(opened.storage, {}, { clock, hooks });
      expect(await settle(killing.offline.verifyOutcome(version, request))).toBe('OFF-0201');
      expect(killed).toBe(1);
      expect(await snapshot(opened.storage, device.activationId)).toEqual(before);
      expect(await settle(server.offline.verifyOutcome(version, request))).toMatchObject({ valid: true });
      // Killing a re-verification of the accepted code: still never a second acceptance.
      expect(await settle(killing.offline.verifyOutcome(version, request))).toBe('OFF-0201');
      expect(await settle(server.offline.verifyOutcome(version, request))).toBe('OFF-0103');
      expect((await server.activations.status({ activationId: device.activationId })).counter).toBe(1);
    },
  );

  it('a verify waits only for its own activation: another activation proceeds while one row is locked', async () => {
    const locked = await activateDevice(server, app, 3);
    const free = await activateDevice(server, app, 4);
    const issue = async (d: SimulatedDevice) => {
      const created = await server.offline.createPersonalized(d.protocol, {
        activationId: d.activationId,
        data: paymentData(),
      });
      const payload = d.readPayload(created.offlineData);
      return d.verifyRequest(payload, d.computeCode(payload));
    };
    const lockedRequest = await issue(locked);
    const freeRequest = await issue(free);
    const { server: impatient } = await makeServer(
      opened.storage,
      { OFFCODE_DB_LOCK_TIMEOUT_MS: '100' },
      { clock },
    );
    await side.query('BEGIN');
    try {
      await side.query('SELECT 1 FROM oc_activation WHERE activation_id = $1 FOR UPDATE', [
        locked.activationId,
      ]);
      // The other activation is verified while the lock is held…
      expect(await settle(impatient.offline.verifyOutcome(4, freeRequest))).toMatchObject({ valid: true });
      // …the locked one waits, times out (55P03), is retried 3 times and reported as busy.
      expect(await settle(impatient.offline.verifyOutcome(3, lockedRequest))).toBe('OFF-0201');
      // A patient verify waits for the lock and proceeds once it is released.
      let settled = false;
      const waiting = settle(server.offline.verifyOutcome(3, lockedRequest)).finally(() => {
        settled = true;
      });
      // Deterministic: wait until PostgreSQL reports the verify's backend as waiting for the row lock.
      let waiters = 0;
      for (let i = 0; i < 400 && waiters === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        const r = await side.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE wait_event_type = 'Lock' AND datname = current_database() AND query LIKE '%oc_activation%FOR UPDATE%'`,
        );
        waiters = r.rows[0]!.n;
      }
      expect(waiters).toBe(1);
      expect(settled).toBe(false);
      await side.query('COMMIT');
      expect(await waiting).toMatchObject({ valid: true });
    } finally {
      await side.query('ROLLBACK').catch(() => undefined);
    }
    expect((await server.activations.status({ activationId: locked.activationId })).failedAttempts).toBe(0);
  });
});
