/**
 * Scale-out on one PostgreSQL (server.md §5.4): two API processes (child processes running the start
 * command) on a fresh database (created for this run, dropped afterwards) that start at the same time
 * (concurrent migrations and demo seed). The same code submitted concurrently through both processes is
 * accepted exactly once; state written through one process is seen by the other; a held row lock turns into
 * 503 OFF-0201 after the lock timeout and retries.
 */
import { MemoryTokenStore, OffcodeToken } from '@offcode/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChildApi,
  createTestDatabase,
  DEMO_APP,
  issuePayload,
  offlinePaths,
  ok,
  rest,
  spawnApi,
} from './harness.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let a: ChildApi;
let b: ChildApi;

beforeAll(async () => {
  db = await createTestDatabase();
  // Started together: both run the migrations and seed the demo application at the same time.
  [a, b] = await Promise.all([
    spawnApi({ DATABASE_URL: db.url, OFFCODE_DB_POOL_MAX: '12', OFFCODE_DEMO_ENABLED: 'true' }),
    spawnApi({
      DATABASE_URL: db.url,
      OFFCODE_DB_POOL_MAX: '12',
      OFFCODE_DB_LOCK_TIMEOUT_MS: '300',
      OFFCODE_DEMO_ENABLED: 'true',
    }),
  ]);
}, 120_000);

afterAll(async () => {
  const codes = await Promise.all([a?.stop(), b?.stop()]);
  await db?.drop();
  expect(codes.filter((c) => c !== undefined && c !== null && c !== 0)).toEqual([]);
});

async function activate(protocol: 3 | 4, via: string) {
  const init = await ok(via, '/rest/v3/activation/init', {
    userId: `scale-${protocol}`,
    applicationId: DEMO_APP,
    maxFailureCount: 64,
  });
  const token = new OffcodeToken({ store: new MemoryTokenStore() });
  const status = await token.activate({
    serverUrl: via,
    applicationId: DEMO_APP,
    activationCode: init.activationCode,
    pin: '1234',
    protocol,
  });
  return { token, activationId: status.activationId };
}

describe('two API processes on one PostgreSQL', () => {
  it('both started on the same fresh database and report PostgreSQL', async () => {
    for (const api of [a, b]) {
      const status = await ok(api.url, '/rest/v4/status');
      expect(status.database).toBe('postgresql');
    }
    expect(a.output()).toContain('storage: PostgreSQL (DATABASE_URL)');
    const apps = await ok(b.url, '/rest/v3/application/list');
    expect(
      apps.applications.filter((x: { applicationId: string }) => x.applicationId === DEMO_APP),
    ).toHaveLength(1);
  });

  for (const protocol of [3, 4] as const) {
    it(`V${protocol}: 20 concurrent verifications of one code through both processes → exactly one accepted`, async () => {
      const { token, activationId } = await activate(protocol, a.url);
      const paths = offlinePaths(protocol);
      for (let round = 0; round < 2; round++) {
        const issued = await issuePayload(b.url, protocol, { activationId });
        const { code } = await token.approve(issued.offlineData, { pin: '1234' });
        const body = { activationId, data: issued.requestData, [paths.codeField]: code };
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) => rest(i % 2 === 0 ? a.url : b.url, paths.verify, body)),
        );
        const accepted = answers.filter(
          (r) => r.status === 200 && r.body.responseObject[paths.validField] === true,
        );
        expect(accepted).toHaveLength(1);
        for (const r of answers) {
          if (r === accepted[0]) continue;
          // Later ones see the consumed payload (or, without the registry, the advanced counter).
          const consumed = r.status === 400 && r.body.responseObject.code === 'OFF-0103';
          const invalid = r.status === 200 && r.body.responseObject[paths.validField] === false;
          expect(consumed || invalid, JSON.stringify(r.body)).toBe(true);
        }
      }
      const status = await ok(b.url, '/rest/v3/activation/status', { activationId });
      expect(status.counter).toBe(2);
      const audit = await ok(a.url, '/rest/v4/audit/list', { activationId });
      expect(audit.items.filter((i: { valid: boolean }) => i.valid)).toHaveLength(2);
    });
  }

  it('state written through one process is what the other sees (stateless processes)', async () => {
    const { token, activationId } = await activate(4, b.url);
    await ok(a.url, '/rest/v4/activation/block', { activationId, reason: 'STOLEN' });
    const issued = await issuePayload(a.url, 4, { applicationId: DEMO_APP });
    const { code } = await token.approve(issued.offlineData, { pin: '1234' });
    const blocked = await ok(b.url, '/rest/v4/auth/offline/verify', {
      activationId,
      data: issued.requestData,
      authenticationCode: code,
    });
    expect(blocked).toMatchObject({
      authenticationValid: false,
      activationStatus: 'BLOCKED',
      blockedReason: 'STOLEN',
    });
    await ok(b.url, '/rest/v3/activation/unblock', { activationId });
    const valid = await ok(a.url, '/rest/v4/auth/offline/verify', {
      activationId,
      data: issued.requestData,
      authenticationCode: code,
    });
    expect(valid.authenticationValid).toBe(true);
  });

  it('a row lock held elsewhere: 503 OFF-0201 after the lock timeout and retries; fine once released', async () => {
    const { token, activationId } = await activate(3, a.url);
    const issued = await issuePayload(a.url, 3, { activationId });
    const { code } = await token.approve(issued.offlineData, { pin: '1234' });
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM oc_activation WHERE activation_id = $1 FOR UPDATE', [activationId]);
      const busy = await rest(b.url, '/rest/v3/signature/offline/verify', {
        activationId,
        data: issued.requestData,
        signature: code,
      });
      expect(busy.status).toBe(503);
      expect(busy.body.responseObject.code).toBe('OFF-0201');
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    const after = await ok(b.url, '/rest/v3/signature/offline/verify', {
      activationId,
      data: issued.requestData,
      signature: code,
    });
    expect(after.signatureValid).toBe(true);
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).toMatch(/^offcode_db_busy_total [1-9]\d*$/m);
  });
});

describe('two more processes without the payload registry (PowerAuth behaviour)', () => {
  let c: ChildApi;
  let d: ChildApi;
  beforeAll(async () => {
    const env = { DATABASE_URL: db.url, OFFCODE_PAYLOAD_REGISTRY: 'off', OFFCODE_DEMO_ENABLED: 'false' };
    [c, d] = await Promise.all([spawnApi(env), spawnApi(env)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([c?.stop(), d?.stop()]);
  });

  it('only the activation row lock and the counter decide: exactly one of 20 concurrent verifications is accepted', async () => {
    const { token, activationId } = await activate(4, c.url);
    const issued = await issuePayload(d.url, 4, { activationId });
    expect(issued.response.expiresAt).toBeNull();
    const { code } = await token.approve(issued.offlineData, { pin: '1234' });
    const body = { activationId, data: issued.requestData, authenticationCode: code };
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        rest(i % 2 === 0 ? c.url : d.url, '/rest/v4/auth/offline/verify', body),
      ),
    );
    expect(answers.every((r) => r.status === 200)).toBe(true);
    expect(answers.filter((r) => r.body.responseObject.authenticationValid === true)).toHaveLength(1);
    const status = await ok(c.url, '/rest/v3/activation/status', { activationId });
    expect(status).toMatchObject({ counter: 1, failedAttempts: 19, activationStatus: 'ACTIVE' });
  });
});
