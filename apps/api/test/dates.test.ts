/**
 * Date fields at the edges of what the databases store (server.md §1.1, issue 10 item 4): every date field
 * (`timestampActivationExpire`, `timestampFrom`, `timestampTo`) outside 0001-01-01..9999-12-31 (after the
 * offset), and the extreme epoch numbers, are 400 ERR0024 naming the field, never a 500; the boundary
 * instants themselves are stored and read back. Through the real API on PGlite and on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../src/start.js';
import { createTestDatabase, DEMO_APP, ok, rest, startTestApi } from './harness.js';

const OUTSIDE: unknown[] = [
  '0000-12-31T23:59:59.999Z',
  '0001-01-01T00:59:59.999+01:00',
  '10000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999-00:01',
  '-000001-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  -62_135_596_800_001,
  253_402_300_800_000,
  8.64e15,
  -8.64e15,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  '8640000000000000',
];

for (const database of ['PGlite', 'PostgreSQL'] as const) {
  describe(`date extremes on ${database}`, () => {
    let api: RunningApi;
    let drop: (() => Promise<void>) | null = null;
    beforeAll(async () => {
      if (database === 'PostgreSQL') {
        const db = await createTestDatabase();
        drop = db.drop;
        api = await startTestApi({ DATABASE_URL: db.url });
      } else {
        api = await startTestApi();
      }
    });
    afterAll(async () => {
      await api?.close();
      await drop?.();
    });

    const cases = (): [string, string, Record<string, unknown>][] => [
      ['/rest/v3/activation/init', 'timestampActivationExpire', { userId: 'dates', applicationId: DEMO_APP }],
      ['/rest/v4/activation/init', 'timestampActivationExpire', { userId: 'dates', applicationId: DEMO_APP }],
      ['/rest/v3/signature/list', 'timestampFrom', { userId: 'dates' }],
      ['/rest/v3/signature/list', 'timestampTo', { userId: 'dates' }],
      ['/rest/v4/audit/list', 'timestampFrom', { userId: 'dates' }],
      ['/rest/v4/audit/list', 'timestampTo', { userId: 'dates' }],
    ];

    it('outside 0001-01-01..9999-12-31 or extreme epoch numbers → 400 ERR0024 naming the field', async () => {
      for (const [path, field, base] of cases()) {
        for (const value of OUTSIDE) {
          const r = await rest(api.url, path, { ...base, [field]: value });
          const what = `${path} ${field}=${String(value)} → ${r.status} ${JSON.stringify(r.body)}`;
          expect(r.status, what).toBe(400);
          expect(r.body.responseObject.code, what).toBe('ERR0024');
          expect(r.body.responseObject.message, what).toMatch(new RegExp(`^${field} - must be`));
        }
      }
    });

    it('the boundary instants are accepted, stored and read back', async () => {
      const far = await ok(api.url, '/rest/v3/activation/init', {
        userId: 'dates',
        applicationId: DEMO_APP,
        timestampActivationExpire: '9999-12-31T23:59:59.999Z',
      });
      const status = await ok(api.url, '/rest/v3/activation/status', { activationId: far.activationId });
      expect(status.timestampActivationExpire).toBe('9999-12-31T23:59:59.999Z');
      const epoch = await ok(api.url, '/rest/v4/activation/init', {
        userId: 'dates',
        applicationId: DEMO_APP,
        timestampActivationExpire: 253_402_300_799_999,
      });
      const status4 = await ok(api.url, '/rest/v4/activation/status', { activationId: epoch.activationId });
      expect(status4.timestampActivationExpire).toBe('9999-12-31T23:59:59.999Z');
      for (const path of ['/rest/v3/signature/list', '/rest/v4/audit/list']) {
        const list = await ok(api.url, path, {
          userId: 'dates',
          timestampFrom: '0001-01-01T00:00:00.000Z',
          timestampTo: '9999-12-31T23:59:59.999Z',
        });
        expect(list.items).toEqual([]);
        const offsets = await ok(api.url, path, {
          userId: 'dates',
          timestampFrom: '0001-01-01T01:00:00+01:00',
          timestampTo: '9999-12-31T22:59:59.999-01:00',
        });
        expect(offsets.items).toEqual([]);
      }
    });
  });
}
