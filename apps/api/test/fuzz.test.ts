/**
 * Never a 500 for bad input (server.md §1.1): fast-check drives more than 2 000 requests with generated
 * JSON bodies against every REST POST method of a real server — whole-body garbage, raw non-JSON text, and
 * valid requests with one field replaced by a generated value (so the defects reach validation of every
 * field, the database and the crypto engine). Every answer must be HTTP 200 with an OK envelope or HTTP 400
 * with an ERROR envelope. A second property sends date extremes (around 0001-01-01 and 9999-12-31, the
 * largest epoch numbers, every offset) to every date field the request schemas declare.
 */
import { randomBytes } from 'node:crypto';
import { REST_METHODS } from '@offcode/fastify/internal';
import { encodeBase64, generateKeyPair } from '@offcode/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../src/start.js';
import { activateToken, DEMO_APP, http, issuePayload, ok, startTestApi, TEST_SUITE } from './harness.js';

let api: RunningApi;
let base: string;
/** A valid request object per path, the starting point of single-field mutations. */
const templates = new Map<string, Record<string, unknown>>();
let requests = 0;

beforeAll(async () => {
  api = await startTestApi();
  base = api.url;
  const v3 = await activateToken(base, { protocol: 3, init: { maxFailureCount: 64 } });
  const v4 = await activateToken(base, { protocol: 4, init: { maxFailureCount: 64 } });
  const p3 = await issuePayload(base, 3, { activationId: v3.activationId });
  const p4 = await issuePayload(base, 4, { activationId: v4.activationId });
  const init = await ok(base, '/rest/v3/activation/init', { userId: 'fuzz', applicationId: DEMO_APP });
  const data = 'op-1\nPayment\nPay 1 EUR\nA1*A1EUR*ICZ2730300000001165254011\n';
  const proximityCheck = {
    seed: encodeBase64(new Uint8Array(randomBytes(16))),
    stepLength: 30,
    stepCount: 1,
  };
  const set = (paths: string[], body: Record<string, unknown>) => {
    for (const p of paths) templates.set(p, body);
  };
  set(['/rest/v3/signature/offline/personalized/create'], {
    activationId: v3.activationId,
    data,
    proximityCheck: { seed: proximityCheck.seed, stepLength: 30 },
  });
  set(['/rest/v4/auth/offline/personalized/create'], {
    activationId: v4.activationId,
    data,
    nonce: encodeBase64(new Uint8Array(randomBytes(16))),
  });
  set(
    ['/rest/v3/signature/offline/non-personalized/create', '/rest/v4/auth/offline/non-personalized/create'],
    { applicationId: DEMO_APP, data },
  );
  set(['/rest/v3/signature/offline/verify'], {
    activationId: v3.activationId,
    data: p3.requestData,
    signature: '12345678-12345678',
    allowBiometry: true,
    proximityCheck,
  });
  set(['/rest/v4/auth/offline/verify'], {
    activationId: v4.activationId,
    data: p4.requestData,
    authenticationCode: '12345678-12345678',
    biometryAllowed: false,
    componentLength: 8,
  });
  set(['/rest/v3/application/create', '/rest/v4/application/create'], {
    applicationId: 'fuzz-app',
    applicationRoles: ['R'],
    commitOnKeyExchange: true,
  });
  set(['/rest/v3/application/detail', '/rest/v4/application/detail'], { applicationId: DEMO_APP });
  set(['/rest/v3/application/version/create', '/rest/v4/application/version/create'], {
    applicationId: DEMO_APP,
    applicationVersionId: 'v-fuzz',
  });
  set(['/rest/v3/activation/init', '/rest/v4/activation/init'], {
    userId: 'fuzz',
    applicationId: DEMO_APP,
    maxFailureCount: 5,
    timestampActivationExpire: new Date(Date.now() + 600_000).toISOString(),
    commitPhase: 'ON_COMMIT',
    flags: ['A'],
    protocol: 'powerauth',
  });
  for (const m of ['commit', 'status', 'block', 'unblock', 'remove']) {
    set([`/rest/v3/activation/${m}`, `/rest/v4/activation/${m}`], {
      activationId: m === 'commit' ? init.activationId : v3.activationId,
      externalUserId: 'ops',
      reason: 'FUZZ',
    });
  }
  set(['/rest/offcode/activation/exchange'], {
    activationCode: init.activationCode,
    protocolVersion: 4,
    devicePublicKey: encodeBase64(generateKeyPair(TEST_SUITE, 'P-384').publicKey),
    applicationId: DEMO_APP,
    activationName: 'fuzz phone',
    enableBiometry: true,
  });
  set(['/rest/v3/signature/list', '/rest/v4/audit/list'], {
    userId: v3.userId,
    applicationId: DEMO_APP,
    timestampFrom: 0,
    timestampTo: Date.now() + 1000,
    limit: 10,
    beforeId: 1000,
  });
  set(['/rest/v3/status', '/rest/v4/status'], {});
  set(['/rest/v3/error/list'], { language: 'en' });
});

afterAll(async () => {
  await api?.close();
});

const PATHS = REST_METHODS.flatMap((m) => m.paths);

/** Values that stress validation: wrong types, edge numbers, near-miss formats, odd Unicode. */
const value = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.integer(),
    fc.double(),
    fc.constantFrom(
      null,
      true,
      'true',
      '8',
      '',
      ' ',
      -1,
      0,
      4,
      9,
      65,
      2 ** 53,
      1e308,
      '\u0000',
      '\ud800',
      'AAAAA-AAAAA-AAAAA-AAAAA',
      'AAAAAAAAAAAAAAAAAAAAAA==',
      'AAAAAAAAAAAAAAAAAAAAAA=',
      '12345678-12345678',
      '1234-5678-9012-3456',
      '00000000-0000-4000-8000-000000000000',
      'POST&L29wZXJhdGlvbi9hdXRob3JpemUvb2ZmbGluZQ==&AAAAAAAAAAAAAAAAAAAAAA==&',
      '2025-05-01T10:00:00+02:00',
      'x'.repeat(300),
      '0000-12-31T23:59:59.999Z',
      '10000-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
      -62_135_596_800_001,
      8.64e15,
      -8.64e15,
      { seed: 'AAAA', stepLength: 30 },
      [],
      {},
    ),
  );

type Body = { raw: string; type?: string };

const bodies = (path: string): fc.Arbitrary<Body> => {
  const template = templates.get(path) ?? {};
  const keys = [...Object.keys(template), 'requestObject', '__proto__', 'constructor', 'unknownField'];
  const mutated = fc
    .record({
      key: keys.length ? fc.constantFrom(...keys) : fc.constant('x'),
      v: value(),
      drop: fc.boolean(),
    })
    .map(({ key, v, drop }) => {
      const obj: Record<string, unknown> = { ...template };
      if (drop) delete obj[key];
      else obj[key] = v;
      // JSON.stringify would drop a real __proto__ property: write it by hand.
      const inner = JSON.stringify(obj);
      const raw =
        key === '__proto__' && !drop
          ? inner.replace(/^\{/, `{"__proto__":${JSON.stringify(v) ?? 'null'},`).replace(/,\}$/, '}')
          : inner;
      return { raw: `{"requestObject":${raw}}` };
    });
  return fc.oneof(
    { weight: 6, arbitrary: mutated },
    {
      weight: 2,
      arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ raw: JSON.stringify(v) ?? 'null' })),
    },
    {
      weight: 2,
      arbitrary: fc
        .dictionary(fc.string({ maxLength: 12 }), value(), { maxKeys: 5 })
        .map((o) => ({ raw: JSON.stringify({ requestObject: o }) })),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map((s) => ({ raw: s })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/json; charset=utf-16',
          ),
          fc.jsonValue(),
        )
        .map(([type, v]) => ({ raw: JSON.stringify(v) ?? '', type })),
    },
  );
};

const request = fc.constantFrom(...PATHS).chain((path) => bodies(path).map((body) => ({ path, body })));

function checkEnvelope(status: number, json: unknown, text: string): void {
  expect([200, 400], text).toContain(status);
  expect(typeof json).toBe('object');
  const env = json as { status: unknown; responseObject: Record<string, unknown> };
  if (status === 200) {
    expect(env.status).toBe('OK');
    expect(typeof env.responseObject).toBe('object');
  } else {
    expect(env.status).toBe('ERROR');
    expect(typeof env.responseObject.code).toBe('string');
    expect(typeof env.responseObject.message).toBe('string');
    expect(env.responseObject.localizedMessage).toBe(env.responseObject.message);
  }
}

describe('fuzzed JSON bodies', () => {
  it('every answer is 200 or 400 with the envelope (>= 2 000 requests)', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ path, body }) => {
        requests++;
        const r = await http(base, path, {
          raw: body.raw,
          headers: { 'content-type': body.type ?? 'application/json' },
        });
        checkEnvelope(
          r.status,
          r.json,
          `${path} ${body.raw.slice(0, 200)} → ${r.status} ${r.text.slice(0, 300)}`,
        );
      }),
      { numRuns: 2100 },
    );
    expect(requests).toBeGreaterThanOrEqual(2000);
    // The server is still healthy and still verifies.
    expect((await http(base, '/healthz', { method: 'GET' })).status).toBe(200);
  });
});

/** Every date field of every REST method, found in the request schemas (`format: date-time`). */
function dateFields(): { path: string; field: string }[] {
  const out: { path: string; field: string }[] = [];
  for (const m of REST_METHODS) {
    const json = (
      api.offcode.schemas[m.request] as { json(): { properties?: Record<string, { format?: string }> } }
    ).json();
    for (const [field, schema] of Object.entries(json.properties ?? {})) {
      if (schema.format === 'date-time') for (const path of m.paths) out.push({ path, field });
    }
  }
  return out;
}

/** Instants around and beyond what the databases store, in every accepted input form. */
const dateExtreme = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom(
      '0001-01-01T00:00:00.000Z',
      '0000-12-31T23:59:59.999Z',
      '0001-01-01T00:30:00+01:00',
      '9999-12-31T23:59:59.999Z',
      '9999-12-31T23:59:59.999-00:01',
      '10000-01-01T00:00:00Z',
      '+275760-09-13T00:00:00.000Z',
      -62_135_596_800_000,
      -62_135_596_800_001,
      253_402_300_799_999,
      253_402_300_800_000,
      8.64e15,
      -8.64e15,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      '8640000000000000',
    ),
    fc.integer({ min: -8.64e15, max: 8.64e15 }),
    fc
      .date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
      .map((d) => d.toISOString()),
    fc
      .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: -23, max: 23 }))
      .map(
        ([y, h]) =>
          `${String(y).padStart(4, '0')}-01-01T00:00:00${h < 0 ? '-' : '+'}${String(Math.abs(h)).padStart(2, '0')}:00`,
      ),
  );

describe('fuzzed date fields', () => {
  it('every date field of every method, with date extremes: 200 OK or 400 ERR0024 naming the field, never 500', async () => {
    const fields = dateFields();
    expect(fields.map((f) => f.field).sort()).toEqual(
      expect.arrayContaining(['timestampActivationExpire', 'timestampFrom', 'timestampTo']),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fields), dateExtreme(), async ({ path, field }, value) => {
        const body = { ...templates.get(path), [field]: value };
        const r = await http(base, path, {
          raw: JSON.stringify({ requestObject: body }),
          headers: { 'content-type': 'application/json' },
        });
        const what = `${path} ${field}=${String(value)} → ${r.status} ${r.text.slice(0, 300)}`;
        checkEnvelope(r.status, r.json, what);
        if (r.status === 400) {
          const error = (r.json as { responseObject: { code: string; message: string } }).responseObject;
          expect(error.code, what).toBe('ERR0024');
          expect(error.message, what).toContain(`${field} - `);
        }
      }),
      { numRuns: 600 },
    );
  });
});
