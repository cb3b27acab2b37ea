/**
 * Crash safety with a real kill: the start command runs as a child process on a fresh PostgreSQL database
 * (PGlite in memory dies with its process, so PostgreSQL only), is loaded with concurrent verifications or
 * PowerAuth enrolments and killed with SIGKILL in the middle; a new process is started on the same
 * database. What the dead process left behind must be whole transactions only: every counter step has the
 * audit row of its verification, failed attempts are the audited mismatches since the last success, no code
 * is accepted twice across the kill, and an activation is CREATED without a device key or ACTIVE with one.
 * The kill moment varies per round (after a random share of the answers, or a random 100–400 ms).
 */
import { randomInt } from 'node:crypto';
import { MemoryTokenStore, OffcodeClientError, OffcodeToken } from '@offcode/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyJson,
  activateToken,
  type ChildApi,
  createTestDatabase,
  issuePayload,
  offlinePaths,
  ok,
  rest,
  spawnApi,
} from './harness.js';

const PIN = '1234';
const ROUNDS = 3;
const MISMATCH_NOTES = ['signature_does_not_match', 'authentication_code_does_not_match'];

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: pg.Client;
let api: ChildApi;
const env = () => ({
  DATABASE_URL: db.url,
  OFFCODE_DEMO_ENABLED: 'true',
  OFFCODE_DB_POOL_MAX: '12',
  OFFCODE_TEMP_BLOCK_SWEEP_MS: '0',
});

beforeAll(async () => {
  db = await createTestDatabase();
  api = await spawnApi(env());
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
}, 120_000);

afterAll(async () => {
  await sql?.end();
  const code = await api?.stop();
  await db?.drop();
  expect(code).toBe(0);
});

/**
 * Runs `jobs` all at once and SIGKILLs the API once `killAfter` of them settled or `delayMs` passed, whichever
 * comes first; a job the dead process did not answer settles as an error. Starts the next API afterwards.
 */
async function underKill<T>(
  jobs: (() => Promise<T>)[],
  killAfter: number,
  delayMs: number,
): Promise<{ results: PromiseSettledResult<T>[]; settledAtKill: number }> {
  let settled = 0;
  let fire!: () => void;
  const trigger = new Promise<void>((resolve) => {
    fire = resolve;
  });
  const timer = setTimeout(fire, delayMs);
  const all = Promise.allSettled(
    jobs.map((job) =>
      job().finally(() => {
        if (++settled >= killAfter) fire();
      }),
    ),
  );
  await trigger;
  clearTimeout(timer);
  const settledAtKill = settled;
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    api.child.once('exit', (_code, signal) => resolve(signal)),
  );
  api.child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  const results = await all;
  api = await spawnApi(env());
  return { results, settledAtKill };
}

/** A code of the same shape with its last digit changed: never the right one. */
const wrong = (code: string) => code.slice(0, -1) + String((Number(code.at(-1)) + 1) % 10);

interface Sent {
  activation: number;
  payload: number;
  correct: boolean;
}

describe('kill -9 of the API under verification load (PostgreSQL)', () => {
  it(`${ROUNDS} rounds: counters, failed attempts, audit rows and payload consumption stay whole`, async () => {
    const devices = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        activateToken(api.url, { protocol: i % 2 === 0 ? 3 : 4, init: { maxFailureCount: 64 } }),
      ),
    );
    const log: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // One payload per activation and round: the token's code is at the server's counter (offset 0).
      const payloads = await Promise.all(
        devices.map(async (d, i) => {
          const version = i % 2 === 0 ? 3 : 4;
          const issued = await issuePayload(api.url, version, { activationId: d.activationId });
          const { code } = await d.token.approve(issued.offlineData, { pin: PIN });
          const paths = offlinePaths(version);
          return {
            nonce: issued.nonce,
            body: (c: string) => ({
              activationId: d.activationId,
              data: issued.requestData,
              [paths.codeField]: c,
            }),
            paths,
            code,
          };
        }),
      );
      const sends: Sent[] = payloads.flatMap((_, i) => [
        { activation: i, payload: i, correct: true },
        { activation: i, payload: i, correct: true },
        { activation: i, payload: i, correct: false },
      ]);
      for (let k = sends.length - 1; k > 0; k--) {
        const j = randomInt(k + 1);
        [sends[k], sends[j]] = [sends[j]!, sends[k]!];
      }
      const verify = (p: (typeof payloads)[number], code: string) =>
        rest(api.url, p.paths.verify, p.body(code));
      const killAfter = randomInt(5, sends.length - 10);
      const { results, settledAtKill } = await underKill(
        sends.map(
          (s) => () =>
            verify(
              payloads[s.payload]!,
              s.correct ? payloads[s.payload]!.code : wrong(payloads[s.payload]!.code),
            ),
        ),
        killAfter,
        randomInt(100, 401),
      );
      const answered = results.filter((r) => r.status === 'fulfilled');
      for (const r of answered) {
        const { status, body } = (r as PromiseFulfilledResult<Awaited<ReturnType<typeof verify>>>).value;
        // A answer that came back before the kill is a whole answer: never a 500.
        expect([200, 400], JSON.stringify(body)).toContain(status);
      }
      // What the dead process committed, before anything else touches it (failures not yet reset by a success).
      const standing = await checkActivations(
        devices.map((d) => d.activationId),
        null,
      );
      // The same codes again on the new process: accepted only where no earlier acceptance committed.
      const after = await Promise.all(payloads.map((p) => verify(p, p.code)));
      let acceptedBefore = 0;
      for (const [i, p] of payloads.entries()) {
        const before = sends
          .map((s, k) => ({ s, r: results[k]! }))
          .filter(({ s, r }) => s.payload === i && s.correct && r.status === 'fulfilled')
          .map(({ r }) => (r as PromiseFulfilledResult<AnyJson>).value);
        const validBefore = before.filter(
          (r) => r.status === 200 && r.body.responseObject[p.paths.validField],
        );
        expect(validBefore.length, `round ${round} payload ${i}`).toBeLessThanOrEqual(1);
        acceptedBefore += validBefore.length;
        const again = after[i]!;
        const validAgain = again.status === 200 && again.body.responseObject[p.paths.validField] === true;
        if (validBefore.length === 1) {
          expect(again.status).toBe(400);
          expect(again.body.responseObject.code).toBe('OFF-0103');
        }
        // Committed exactly once: the one valid audit row of this nonce, and the payload consumed by it.
        const audits = await sql.query(
          `SELECT au.id FROM oc_auth_audit au JOIN oc_offline_payload p ON p.consumed_audit_id = au.id
            WHERE au.nonce = $1 AND au.valid AND p.nonce = $1`,
          [p.nonce],
        );
        const valid = await sql.query(
          'SELECT count(*)::int AS n FROM oc_auth_audit WHERE nonce = $1 AND valid',
          [p.nonce],
        );
        expect(valid.rows[0].n, `round ${round} payload ${i}`).toBe(1);
        expect(audits.rowCount).toBe(1);
        expect(validBefore.length + (validAgain ? 1 : 0)).toBeLessThanOrEqual(1);
      }
      log.push(
        `round ${round}: ${sends.length} requests, killed after ${settledAtKill} answers (trigger ${killAfter}), ` +
          `${answered.length} answered in total, ${acceptedBefore}/${payloads.length} acceptances answered before the kill`,
      );
      const failures = await checkActivations(
        devices.map((d) => d.activationId),
        round + 1,
      );
      log[log.length - 1] +=
        `; failed attempts standing: ${standing} after the kill, ${failures} after the re-sends`;
    }
    console.log(log.join('\n'));
  });
});

/** Per activation (`expectedCounter` null: any): one counter step per valid audit row; failed attempts = audited mismatches since the last success. */
async function checkActivations(ids: string[], expectedCounter: number | null): Promise<number> {
  const r = await sql.query(
    `SELECT a.activation_id, a.counter::int AS counter, a.failed_attempts, a.activation_status,
       (SELECT count(*)::int FROM oc_auth_audit au WHERE au.activation_id = a.activation_id AND au.valid) AS valid,
       (SELECT count(*)::int FROM oc_auth_audit au WHERE au.activation_id = a.activation_id AND NOT au.valid
          AND au.note = ANY($2) AND au.id > COALESCE((SELECT max(id) FROM oc_auth_audit v
            WHERE v.activation_id = a.activation_id AND v.valid), 0)) AS failures
     FROM oc_activation a WHERE a.activation_id = ANY($1::uuid[])`,
    [ids, MISMATCH_NOTES],
  );
  expect(r.rowCount).toBe(ids.length);
  for (const row of r.rows) {
    expect(row, row.activation_id).toMatchObject({
      counter: expectedCounter ?? row.valid,
      valid: expectedCounter ?? row.counter,
      failed_attempts: row.failures,
      activation_status: 3,
    });
  }
  return r.rows.reduce((sum, row) => sum + row.failed_attempts, 0);
}

describe('kill -9 of the API while PowerAuth devices race activation codes (PostgreSQL)', () => {
  it(`${ROUNDS} rounds: each activation is CREATED without a device key or ACTIVE with one; one winner at most`, async () => {
    const applicationId = `kill-pa-${process.pid}`;
    await ok(api.url, '/rest/v3/application/create', { applicationId, commitOnKeyExchange: true });
    const detail = await ok(api.url, '/rest/v3/application/detail', { applicationId });
    const version = detail.versions.find((v: AnyJson) => v.supported);
    const app = {
      applicationKey: version.applicationKey as string,
      applicationSecret: version.applicationSecret as string,
      masterPublicKey: detail.masterPublicKeys.EC_P256 as string,
    };
    const enrol = (token: OffcodeToken, activationCode: string) =>
      token.activate({ serverUrl: api.url, activationCode, pin: PIN, ...app });
    const log: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const inits = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          ok(api.url, '/rest/v3/activation/init', { userId: `kill-${round}-${i}`, applicationId }),
        ),
      );
      const racers = inits.flatMap((_init, code) =>
        Array.from({ length: 3 }, () => ({
          code,
          token: new OffcodeToken({ store: new MemoryTokenStore() }),
        })),
      );
      // An enrolment is several requests: round 0 kills 100–400 ms in (mostly mid-exchange), the later
      // rounds once the first or a random share of the devices settled (winners answered, others in flight).
      const killAfter = round === 1 ? 1 : randomInt(2, racers.length - 4);
      const { results, settledAtKill } = await underKill(
        racers.map((r) => () => enrol(r.token, inits[r.code]!.activationCode)),
        killAfter,
        round === 0 ? randomInt(100, 401) : 10_000,
      );
      const counts = { created: 0, active: 0, winners: 0 };
      for (const [i, init] of inits.entries()) {
        const won = racers.filter((r, k) => r.code === i && results[k]!.status === 'fulfilled');
        expect(won.length, `round ${round} code ${i}`).toBeLessThanOrEqual(1);
        counts.winners += won.length;
        const row = (
          await sql.query(
            `SELECT activation_status, device_public_key IS NOT NULL AS has_key FROM oc_activation
              WHERE activation_id = $1`,
            [init.activationId],
          )
        ).rows[0];
        expect([1, 3], `round ${round} code ${i}`).toContain(row.activation_status);
        expect(row.has_key, `round ${round} code ${i}`).toBe(row.activation_status === 3);
        let holder: OffcodeToken | undefined = won[0]?.token;
        if (row.activation_status === 1) {
          counts.created++;
          expect(won).toHaveLength(0);
          holder = new OffcodeToken({ store: new MemoryTokenStore() });
          expect((await enrol(holder, init.activationCode)).activationStatus).toBe('ACTIVE');
        } else {
          counts.active++;
          // The code is spent: a fresh device is refused, whether or not the winner heard its answer.
          const late = new OffcodeToken({ store: new MemoryTokenStore() });
          const refused = await enrol(late, init.activationCode).catch((e: unknown) => e);
          expect(refused).toBeInstanceOf(OffcodeClientError);
          expect((refused as OffcodeClientError).code).toBe('ACTIVATION_FAILED');
        }
        if (holder) {
          // The device that holds the activation (by its answer) is the one the server holds: its code verifies.
          const issued = await issuePayload(api.url, 3, { activationId: init.activationId });
          const { code } = await holder.approve(issued.offlineData, { pin: PIN });
          const verified = await ok(api.url, offlinePaths(3).verify, {
            activationId: init.activationId,
            data: issued.requestData,
            signature: code,
          });
          expect(verified).toMatchObject({ signatureValid: true, activationStatus: 'ACTIVE' });
        }
      }
      log.push(
        `round ${round}: ${racers.length} devices on ${inits.length} codes, killed after ${settledAtKill} settled ` +
          `(trigger ${killAfter}); after restart ${counts.active} ACTIVE (${counts.winners} winners answered), ` +
          `${counts.created} CREATED`,
      );
    }
    console.log(log.join('\n'));
  });
});
