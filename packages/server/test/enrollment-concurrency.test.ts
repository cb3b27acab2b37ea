/**
 * Concurrency and crash safety of activation/create (activation.md "Offcode decisions" 3): devices racing
 * one activation code — exactly one wins, the others are refused as a used code; one request replayed into
 * two processes (two pools on one PostgreSQL) at once — one is served, the other is a replay; a backend
 * killed (pg_terminate_backend) or a transaction aborted right before COMMIT leaves the activation CREATED
 * with no key, digest or history row, and the device's next request enrols.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnrollmentError } from '../src/enrollment/errors.js';
import { OffcodeError } from '../src/errors.js';
import type { OffcodeServer } from '../src/server.js';
import { openStorage } from '../src/storage/open.js';
import type { Storage } from '../src/storage/types.js';
import { deviceWithKey, enrollmentSnapshot, freshApplication } from './enrollment-fixtures.js';
import { makeServer, TestClock, uniqueName } from './harness.js';
import type { AppCredentials } from './pa3-device.js';
import {
  type OpenedStorage,
  pgliteFactory,
  postgresFactory,
  sideConnection,
  TEST_DATABASE_URL,
} from './storages.js';

const RACERS = 8;

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    if (error instanceof EnrollmentError) return error.reason;
    if (error instanceof OffcodeError) return error.code;
    throw error;
  }
}

describe('PostgreSQL: races and killed backends', () => {
  let opened: OpenedStorage;
  let second: Storage;
  let server: OffcodeServer;
  let other: OffcodeServer;
  const clock = new TestClock();
  let app: { name: string; credentials: AppCredentials };

  beforeAll(async () => {
    opened = await postgresFactory.open({ poolMax: 20 });
    second = await openStorage(
      { databaseUrl: TEST_DATABASE_URL, dataDir: '', dbPoolMax: 10, autoMigrate: true },
      { schema: opened.schema! },
    );
    ({ server } = await makeServer(opened.storage, {}, { clock }));
    ({ server: other } = await makeServer(second, {}, { clock }));
    app = await freshApplication(server);
  });
  afterAll(async () => {
    await second?.close();
    await opened?.cleanup();
  });

  it(`${RACERS} devices racing one activation code: exactly one enrols, the others get a used code`, async () => {
    const { activationCode, activationId } = await server.activations.init({
      userId: uniqueName('u'),
      applicationId: app.name,
    });
    const racers = await Promise.all(
      Array.from({ length: RACERS }, () => deviceWithKey(server, app.credentials)),
    );
    const calls = racers.map(({ device, key }) =>
      device.activationCreate(key, activationCode, { timestamp: clock.t }),
    );
    const results = await Promise.all(
      calls.map((call, i) =>
        (i % 2 === 0 ? server : other).enrollment.activationCreate(call).then(
          (answer) => ({ i, answer }),
          (error: unknown) => ({ i, error }),
        ),
      ),
    );
    const winners = results.filter((r) => 'answer' in r);
    expect(winners).toHaveLength(1);
    expect(
      results.filter((r) => 'error' in r).map((r) => (r as { error: EnrollmentError }).error.reason),
    ).toEqual(Array(RACERS - 1).fill('code_used'));
    const win = winners[0] as { i: number; answer: unknown };
    racers[win.i]!.device.completeActivation(win.answer, calls[win.i]!.envelopes);
    const r = await opened.storage.query<{ device: string }>(
      `SELECT encode(device_public_key, 'hex') AS device FROM oc_activation WHERE activation_id = $1`,
      [activationId],
    );
    expect(r.rows[0]!.device).toBe(Buffer.from(racers[win.i]!.device.keyPair.publicKey).toString('hex'));
    const history = await server.activations.history({ activationId });
    expect(history.items.map((h) => h.activationStatus)).toEqual(['CREATED', 'ACTIVE']);
  });

  it('one request replayed into two processes at once: one is served, the other is a replay', async () => {
    const { activationCode } = await server.activations.init({
      userId: uniqueName('u'),
      applicationId: app.name,
    });
    const { device, key } = await deviceWithKey(server, app.credentials);
    const call = device.activationCreate(key, activationCode, { timestamp: clock.t });
    const results = await Promise.all([
      outcome(server.enrollment.activationCreate(call)),
      outcome(other.enrollment.activationCreate(call)),
    ]);
    expect(results.sort()).toEqual(['ok', 'replay']);
  });

  it('a backend killed right before COMMIT leaves the activation CREATED; the next request enrols', async () => {
    const side = await sideConnection(opened.schema!);
    try {
      let killed = 0;
      const { server: killing } = await makeServer(
        opened.storage,
        {},
        {
          clock,
          hooks: {
            enrollment: {
              beforeActivationCommit: async (tx) => {
                const pid = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
                await side.query('SELECT pg_terminate_backend($1)', [pid]);
                killed++;
              },
            },
          },
        },
      );
      const { activationCode, activationId } = await server.activations.init({
        userId: uniqueName('u'),
        applicationId: app.name,
      });
      const { device, key } = await deviceWithKey(server, app.credentials);
      const before = await enrollmentSnapshot(opened.storage, activationId);
      const first = device.activationCreate(key, activationCode, { timestamp: clock.t });
      expect(await outcome(killing.enrollment.activationCreate(first))).toBe('OFF-0201');
      expect(killed).toBeGreaterThanOrEqual(1);
      expect(await enrollmentSnapshot(opened.storage, activationId)).toEqual(before);
      // The same request was never committed, so it is no replay: a retry of it enrols.
      const answer = await server.enrollment.activationCreate(first);
      expect(device.completeActivation(answer, first.envelopes).activationId).toBe(activationId);
    } finally {
      await side.end();
    }
  });
});

describe('PGlite: an aborted activation/create', () => {
  let opened: OpenedStorage;
  const clock = new TestClock();

  beforeAll(async () => {
    opened = await pgliteFactory.open();
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  it('a failure right before COMMIT rolls everything back; the retry enrols', async () => {
    const { server } = await makeServer(opened.storage, {}, { clock });
    const { server: failing } = await makeServer(
      opened.storage,
      {},
      {
        clock,
        hooks: { enrollment: { beforeActivationCommit: () => Promise.reject(new Error('crash')) } },
      },
    );
    const app = await freshApplication(server);
    const { activationCode, activationId } = await server.activations.init({
      userId: uniqueName('u'),
      applicationId: app.name,
    });
    const { device, key } = await deviceWithKey(server, app.credentials);
    const before = await enrollmentSnapshot(opened.storage, activationId);
    const call = device.activationCreate(key, activationCode, { timestamp: clock.t });
    expect(await outcome(failing.enrollment.activationCreate(call))).toBe('ERR0000');
    expect(await enrollmentSnapshot(opened.storage, activationId)).toEqual(before);
    await server.enrollment.activationCreate(call);
    expect((await server.activations.status({ activationId })).activationStatus).toBe('ACTIVE');
  });
});
