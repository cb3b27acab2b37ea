/**
 * Every documented error code (server.md §1.3, §1.4) over real HTTP with real storage: the status code, the
 * envelope, and the named field. Faults that cannot come from a request (internal errors, an unreachable
 * database, a crypto-engine failure, id collisions, tampered or unreadable key records) are produced with
 * the server's test hooks, an injected clock, an engine wrapper, a storage wrapper or direct SQL.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { getOffcodeCrypto, type OffcodeCrypto, OffcodeCryptoError } from '@offcode/crypto-wasm';
import { encodeBase64, generateActivationCode } from '@offcode/protocol';
import { type Storage, StorageError } from '@offcode/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../src/start.js';
import {
  type AnyJson,
  activateToken,
  attachApi,
  DEMO_APP,
  http,
  issuePayload,
  ok,
  rest,
  startTestApi,
  TEST_SUITE,
} from './harness.js';

const MASTER_KEY = encodeBase64(new Uint8Array(randomBytes(32)));
const OTHER_KEY = encodeBase64(new Uint8Array(randomBytes(32)));

/** Switches the test faults on and off. */
const faults = {
  storage: null as null | 'unavailable' | 'other',
  engine: false,
  fixedActivationId: null as string | null,
  fixedActivationCode: null as string | null,
  clockOffsetMs: 0,
};

function faultyStorage(inner: Storage): Storage {
  const fail = (): void => {
    if (faults.storage === 'unavailable')
      throw new StorageError('unavailable', '08006', null, new Error('connection lost'));
    if (faults.storage === 'other') throw new Error('simulated internal fault with a secret-looking detail');
  };
  return {
    kind: inner.kind,
    async query(sql, params) {
      fail();
      return inner.query(sql, params);
    },
    async transaction(fn, options) {
      fail();
      return inner.transaction(fn, options);
    },
    execScript: (tx, sql) => inner.execScript(tx, sql),
    async ping() {
      fail();
      return inner.ping();
    },
    close: () => inner.close(),
  } as Storage;
}

function faultyEngine(inner: OffcodeCrypto): OffcodeCrypto {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'searchOfflineCode' && faults.engine) {
        return () => {
          throw new OffcodeCryptoError('engine', 'simulated engine failure');
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

let api: RunningApi;
let base: string;
/** Other configurations on the same storage: integration credentials, no master key, another master key. */
let credentialed: { url: string; close(): Promise<void> };
let noKey: { url: string; close(): Promise<void> };
let otherKey: { url: string; close(): Promise<void> };

beforeAll(async () => {
  api = await startTestApi(
    { OFFCODE_MASTER_KEY: MASTER_KEY },
    {
      wrapStorage: faultyStorage,
      server: {
        clock: () => Date.now() + faults.clockOffsetMs,
        crypto: faultyEngine(getOffcodeCrypto('auto')),
        hooks: {
          generateActivationId: () => faults.fixedActivationId ?? randomUUID(),
          generateActivationCode: () => faults.fixedActivationCode ?? generateActivationCode(),
        },
      },
    },
  );
  base = api.url;
  credentialed = await attachApi(api.storage, {
    OFFCODE_MASTER_KEY: MASTER_KEY,
    OFFCODE_INTEGRATION_CREDENTIALS: 'bank-app:s3cret,other:pw2',
    OFFCODE_BODY_LIMIT_BYTES: '1024',
  });
  noKey = await attachApi(api.storage, {}, { skipKeyCheck: true });
  otherKey = await attachApi(api.storage, { OFFCODE_MASTER_KEY: OTHER_KEY }, { skipKeyCheck: true });
});

afterAll(async () => {
  await otherKey?.close();
  await noKey?.close();
  await credentialed?.close();
  await api?.close();
});

async function expectError(
  promise: Promise<{
    status: number;
    body: { status: string; responseObject: { code: string; message: string; localizedMessage: string } };
  }>,
  status: number,
  code: string,
  messagePart?: string,
): Promise<string> {
  const r = await promise;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.status).toBe('ERROR');
  expect(r.body.responseObject.code).toBe(code);
  expect(r.body.responseObject.localizedMessage).toBe(r.body.responseObject.message);
  if (messagePart) expect(r.body.responseObject.message).toContain(messagePart);
  return r.body.responseObject.message;
}

describe('ERR0024 (invalid request, HTTP 400, the field named)', () => {
  it('lists every failing field as "path - reason" and never echoes secret values', async () => {
    const secretCode = '1234x678-12345678';
    const message = await expectError(
      rest(base, '/rest/v3/signature/offline/verify', {
        activationId: 'not-a-uuid',
        data: 'POST&x',
        signature: secretCode,
        proximityCheck: { seed: 'not base64!', stepLength: 0 },
      }),
      400,
      'ERR0024',
    );
    for (const field of [
      'activationId - ',
      'data - ',
      'signature - ',
      'proximityCheck.seed - ',
      'proximityCheck.stepLength - ',
    ]) {
      expect(message).toContain(field);
    }
    expect(message).not.toContain(secretCode);
    expect(message).not.toContain('not base64!');
  });

  it('refuses fields that must not be silently dropped (activationOtp, nonce/proximityCheck on non-personalized, protocol)', async () => {
    await expectError(
      rest(base, '/rest/v3/activation/init', { userId: 'u', applicationId: DEMO_APP, activationOtp: '1234' }),
      400,
      'ERR0024',
      'activationOtp',
    );
    await expectError(
      rest(base, '/rest/v3/activation/init', { userId: 'u', applicationId: DEMO_APP, protocol: 'fido2' }),
      400,
      'ERR0024',
      'protocol',
    );
    const data = 'op\nT\nM\nA1*A100EUR\n';
    await expectError(
      rest(base, '/rest/v4/auth/offline/non-personalized/create', {
        applicationId: DEMO_APP,
        data,
        nonce: 'AAAAAAAAAAAAAAAAAAAAAA==',
      }),
      400,
      'ERR0024',
      'nonce',
    );
    await expectError(
      rest(base, '/rest/v3/signature/offline/non-personalized/create', {
        applicationId: DEMO_APP,
        data,
        proximityCheck: { seed: 'AAAA', stepLength: 30 },
      }),
      400,
      'ERR0024',
      'proximityCheck',
    );
  });

  it('maps every body defect to 400 ERR0024 naming body: type, JSON, UTF-8, prototype keys, non-object', async () => {
    const cases: { raw: string | Uint8Array; type?: string; part: string }[] = [
      { raw: '{"requestObject":{}}', type: 'text/plain', part: 'body - Content-Type' },
      { raw: '{"requestObject":{}}', type: 'application/json; charset=latin1', part: 'body - Content-Type' },
      { raw: '{"requestObject":', part: 'body - must be a valid JSON' },
      { raw: new Uint8Array([0x7b, 0xff, 0x7d]), part: 'body - must be UTF-8' },
      { raw: '{"requestObject":{"__proto__":{"admin":true}}}', part: 'body - must not contain __proto__' },
      { raw: '{"constructor":{"prototype":{}}}', part: 'body - must not contain' },
      { raw: '[1,2]', part: 'body - must be a JSON object' },
      { raw: '"text"', part: 'body - must be a JSON object' },
      { raw: `${'['.repeat(20000)}${']'.repeat(20000)}`, part: 'body' },
    ];
    for (const c of cases) {
      const r = await http<{ responseObject: { code: string; message: string } }>(
        base,
        '/rest/v3/activation/status',
        {
          raw: c.raw,
          headers: { 'content-type': c.type ?? 'application/json' },
        },
      );
      expect(r.status, c.part).toBe(400);
      expect(r.json.responseObject.code).toBe('ERR0024');
      expect(r.json.responseObject.message).toContain(c.part);
    }
  });

  it('a body over OFFCODE_BODY_LIMIT_BYTES is 400 (not the framework 413)', async () => {
    const r = await http<{ responseObject: { code: string; message: string } }>(
      credentialed.url,
      '/rest/offcode/activation/exchange',
      {
        body: { requestObject: { activationCode: 'x'.repeat(2000) } },
      },
    );
    expect(r.status).toBe(400);
    expect(r.json.responseObject).toMatchObject({
      code: 'ERR0024',
      message: 'body - request body exceeds 1024 bytes',
    });
  });

  it('scalar coercion is Jackson-like and nothing else: "8" is an integer, 8.5 and "eight" are not', async () => {
    const { activationId } = await activateToken(base, { protocol: 3 });
    const issued = await issuePayload(base, 3, { activationId });
    const good = await rest(base, '/rest/v3/signature/offline/verify', {
      activationId,
      data: issued.requestData,
      signature: '12345678-12345678',
      componentLength: '8',
    });
    expect(good.status).toBe(200);
    for (const bad of [8.5, 'eight', true, [8]]) {
      await expectError(
        rest(base, '/rest/v3/signature/offline/verify', {
          activationId,
          data: issued.requestData,
          signature: '12345678-12345678',
          componentLength: bad,
        }),
        400,
        'ERR0024',
        'componentLength - ',
      );
    }
  });
});

describe('bidirectional controls in payload text (server.md §1.2)', () => {
  it('are refused at creation with ERR0024 naming data, over REST (both kinds, both versions) and in the demo form', async () => {
    const { activationId, userId } = await activateToken(base, { protocol: 4 });
    const spoof = 'op-1\nPayment\nPay 100 EUR to \u202Eevil\u202C\nA100*ACZ2730300000001165254011\n';
    for (const [path, target] of [
      ['/rest/v4/auth/offline/personalized/create', { activationId }],
      ['/rest/v4/auth/offline/non-personalized/create', { applicationId: DEMO_APP }],
      ['/rest/v3/signature/offline/non-personalized/create', { applicationId: DEMO_APP }],
    ] as const) {
      await expectError(
        rest(base, path, { ...target, data: spoof }),
        400,
        'ERR0024',
        'data - line 3 (message) must not contain bidirectional control characters',
      );
    }
    const form = await http(base, '/demo/operation', {
      raw: new URLSearchParams({
        userId,
        kind: 'non-personalized',
        template: 'payment',
        amount: '1',
        currency: 'EUR',
        iban: 'CZ2730300000001165254011',
        note: 'pay \u2067me\u2069',
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(400);
    expect(form.text).toContain('must not contain bidirectional control characters');
  });
});

describe('PowerAuth codes', () => {
  it('ERR0015 unknown application, ERR0043 duplicate application', async () => {
    await expectError(
      rest(base, '/rest/v3/application/detail', { applicationId: 'no-such-app' }),
      400,
      'ERR0015',
    );
    await expectError(
      rest(base, '/rest/v4/activation/init', { userId: 'u', applicationId: 'no-such-app' }),
      400,
      'ERR0015',
    );
    await expectError(
      rest(base, '/rest/v3/signature/offline/non-personalized/create', {
        applicationId: 'no-such-app',
        data: 'a\nb\nc\nA1*A1EUR\n',
      }),
      400,
      'ERR0015',
    );
    await expectError(rest(base, '/rest/v3/application/create', { applicationId: DEMO_APP }), 400, 'ERR0043');
  });

  it('ERR0009 activation not found, ERR0008 incorrect state', async () => {
    const unknown = randomUUID();
    for (const m of ['commit', 'block', 'unblock', 'remove']) {
      await expectError(rest(base, `/rest/v3/activation/${m}`, { activationId: unknown }), 400, 'ERR0009');
    }
    await expectError(
      rest(base, '/rest/v3/signature/offline/personalized/create', {
        activationId: unknown,
        data: 'a\nb\nc\nA1*A1EUR\n',
      }),
      400,
      'ERR0009',
    );
    const init = await ok(base, '/rest/v3/activation/init', { userId: 'dave', applicationId: DEMO_APP });
    await expectError(
      rest(base, '/rest/v3/activation/commit', { activationId: init.activationId }),
      400,
      'ERR0008',
    );
    await expectError(
      rest(base, '/rest/v3/activation/block', { activationId: init.activationId }),
      400,
      'ERR0008',
    );
    await expectError(
      rest(base, '/rest/v4/auth/offline/personalized/create', {
        activationId: init.activationId,
        data: 'a\nb\nc\nA1*A1EUR\n',
      }),
      400,
      'ERR0008',
    );
    // Ten zero bytes have CRC 0: a well-formed code that was never issued.
    const { generateKeyPair } = await import('@offcode/protocol');
    const devicePublicKey = encodeBase64(generateKeyPair(TEST_SUITE, 'P-256').publicKey);
    await expectError(
      rest(base, '/rest/offcode/activation/exchange', {
        activationCode: 'AAAAA-AAAAA-AAAAA-AAAAA',
        protocolVersion: 3,
        devicePublicKey,
      }),
      400,
      'ERR0009',
    );
    // A wrong CRC is refused before any lookup.
    await expectError(
      rest(base, '/rest/offcode/activation/exchange', {
        activationCode: 'AAAAA-AAAAA-AAAAA-AAAAB',
        protocolVersion: 3,
        devicePublicKey,
      }),
      400,
      'ERR0024',
      'activationCode',
    );
  });

  it('ERR0010 device key not on the curve; ERR0047 protocol version mismatch', async () => {
    const init = await ok(base, '/rest/v3/activation/init', { userId: 'erin', applicationId: DEMO_APP });
    const offCurve = new Uint8Array(65);
    offCurve[0] = 4;
    offCurve[64] = 1;
    await expectError(
      rest(base, '/rest/offcode/activation/exchange', {
        activationCode: init.activationCode,
        protocolVersion: 3,
        devicePublicKey: encodeBase64(offCurve),
      }),
      400,
      'ERR0010',
    );
    const { activationId } = await activateToken(base, { protocol: 4 });
    const issued = await issuePayload(base, 4, { activationId });
    await expectError(
      rest(base, '/rest/v3/signature/offline/verify', {
        activationId,
        data: issued.requestData,
        signature: '12345678-12345678',
      }),
      400,
      'ERR0047',
    );
    await expectError(
      rest(base, '/rest/v3/signature/offline/personalized/create', {
        activationId,
        data: 'a\nb\nc\nA1*A1EUR\n',
      }),
      400,
      'ERR0047',
    );
  });

  it('ERR0007 exchange after the activation deadline (the activation becomes REMOVED)', async () => {
    const init = await ok(base, '/rest/v3/activation/init', { userId: 'frank', applicationId: DEMO_APP });
    faults.clockOffsetMs = 10 * 60 * 1000;
    try {
      const { generateKeyPair } = await import('@offcode/protocol');
      await expectError(
        rest(base, '/rest/offcode/activation/exchange', {
          activationCode: init.activationCode,
          protocolVersion: 4,
          devicePublicKey: encodeBase64(generateKeyPair(TEST_SUITE, 'P-384').publicKey),
        }),
        400,
        'ERR0007',
      );
    } finally {
      faults.clockOffsetMs = 0;
    }
    expect(
      (await ok(base, '/rest/v3/activation/status', { activationId: init.activationId })).activationStatus,
    ).toBe('REMOVED');
  });

  it('ERR0005 / ERR0006: ten id or activation-code collisions in a row', async () => {
    const first = await ok(base, '/rest/v3/activation/init', { userId: 'gina', applicationId: DEMO_APP });
    faults.fixedActivationId = first.activationId;
    try {
      await expectError(
        rest(base, '/rest/v3/activation/init', { userId: 'gina', applicationId: DEMO_APP }),
        400,
        'ERR0005',
      );
    } finally {
      faults.fixedActivationId = null;
    }
    faults.fixedActivationCode = first.activationCode;
    try {
      await expectError(
        rest(base, '/rest/v3/activation/init', { userId: 'gina', applicationId: DEMO_APP }),
        400,
        'ERR0006',
      );
    } finally {
      faults.fixedActivationCode = null;
    }
  });

  it('ERR0013 crypto engine failure while verifying', async () => {
    const { activationId } = await activateToken(base, { protocol: 3 });
    const issued = await issuePayload(base, 3, { activationId });
    faults.engine = true;
    try {
      await expectError(
        rest(base, '/rest/v3/signature/offline/verify', {
          activationId,
          data: issued.requestData,
          signature: '12345678-12345678',
        }),
        400,
        'ERR0013',
      );
    } finally {
      faults.engine = false;
    }
  });

  it('ERR0003 no master key pair of the curve; ERR0004 unreadable master private key', async () => {
    const app = `keys-${randomBytes(3).toString('hex')}`;
    await ok(base, '/rest/v3/application/create', { applicationId: app });
    await api.storage.query(
      "DELETE FROM oc_master_keypair WHERE algorithm = 'EC_P384' AND application_id = (SELECT id FROM oc_application WHERE name = $1)",
      [app],
    );
    await expectError(
      rest(base, '/rest/v4/auth/offline/non-personalized/create', {
        applicationId: app,
        data: 'a\nb\nc\nA1*A1EUR\n',
      }),
      400,
      'ERR0003',
    );
    await api.storage.query(
      "UPDATE oc_master_keypair SET private_key = $2, private_key_encryption = 0 WHERE algorithm = 'EC_P256' AND application_id = (SELECT id FROM oc_application WHERE name = $1)",
      // Not a scalar of P-256 (longer than the group order), so it cannot be parsed as a private key.
      [app, new Uint8Array(40).fill(0xff)],
    );
    await expectError(
      rest(base, '/rest/v3/signature/offline/non-personalized/create', {
        applicationId: app,
        data: 'a\nb\nc\nA1*A1EUR\n',
      }),
      400,
      'ERR0004',
    );
  });

  it('ERR0020 encrypted record without OFFCODE_MASTER_KEY, ERR0021 unknown key id, ERR0022 tampered record', async () => {
    const data = 'a\nb\nc\nA1*A1EUR\n';
    await expectError(
      rest(noKey.url, '/rest/v3/signature/offline/non-personalized/create', {
        applicationId: DEMO_APP,
        data,
      }),
      400,
      'ERR0020',
    );
    await expectError(
      rest(otherKey.url, '/rest/v4/auth/offline/non-personalized/create', { applicationId: DEMO_APP, data }),
      400,
      'ERR0021',
    );
    const app = `tamper-${randomBytes(3).toString('hex')}`;
    await ok(base, '/rest/v3/application/create', { applicationId: app });
    // Flip one byte of the ciphertext: AES-GCM authentication fails.
    await api.storage.query(
      "UPDATE oc_master_keypair SET private_key = overlay(private_key placing '\\xff'::bytea from 20 for 1) WHERE algorithm = 'EC_P256' AND application_id = (SELECT id FROM oc_application WHERE name = $1)",
      [app],
    );
    await expectError(
      rest(base, '/rest/v3/signature/offline/non-personalized/create', { applicationId: app, data }),
      400,
      'ERR0022',
    );
  });

  it('ERR0000 internal fault: HTTP 500, generic message with the request id, no detail', async () => {
    faults.storage = 'other';
    try {
      const r = await rest(base, '/rest/v3/application/list', undefined, { 'x-request-id': 'trace-0000' });
      expect(r.status).toBe(500);
      expect(r.body.responseObject.code).toBe('ERR0000');
      expect(r.body.responseObject.message).toBe('Unknown error occurred (request id trace-0000).');
      expect(JSON.stringify(r.body)).not.toContain('secret-looking');
    } finally {
      faults.storage = null;
    }
  });
});

describe('Offcode codes', () => {
  it('OFF-0001: credentials missing or wrong → 401 with WWW-Authenticate; right pair → 200; device-facing and public routes stay open', async () => {
    const url = credentialed.url;
    const basic = (pair: string) => ({ authorization: `Basic ${Buffer.from(pair).toString('base64')}` });
    for (const headers of [
      {},
      basic('bank-app:wrong'),
      basic('nobody:s3cret'),
      { authorization: 'Bearer x' },
      basic('bank-app'),
    ]) {
      const r = await rest(url, '/rest/v3/application/list', undefined, headers);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Basic realm="offcode"');
      expect(r.body.responseObject.code).toBe('OFF-0001');
    }
    expect((await rest(url, '/rest/v4/status', undefined, basic('bank-app:s3cret'))).status).toBe(200);
    expect((await rest(url, '/rest/v3/application/list', undefined, basic('other:pw2'))).status).toBe(200);
    // Open: the device-facing exchange (answers its own validation error), health, OpenAPI, docs.
    const exchange = await rest(url, '/rest/offcode/activation/exchange', {});
    expect(exchange.status).toBe(400);
    expect(exchange.body.responseObject.code).toBe('ERR0024');
    for (const path of ['/healthz', '/openapi.json', '/docs']) {
      expect((await http(url, path, { method: 'GET' })).status, path).toBe(200);
    }
    // Protected besides /rest/v3 and /rest/v4: metrics and the demo (server.md §1.5).
    for (const path of ['/metrics', '/demo', '/demo/token']) {
      const refused = await http<Record<string, AnyJson>>(url, path, { method: 'GET' });
      expect(refused.status, path).toBe(401);
      expect(refused.json.responseObject.code).toBe('OFF-0001');
      const allowed = await http(url, path, { method: 'GET', headers: basic('bank-app:s3cret') });
      expect(allowed.status, path).toBe(200);
    }
    const doc = (await http<Record<string, AnyJson>>(url, '/openapi.json', { method: 'GET' })).json;
    expect(doc.components.securitySchemes.basicAuth).toEqual({ type: 'http', scheme: 'basic' });
    expect(doc.paths['/rest/v3/application/list'].post.security).toEqual([{ basicAuth: [] }]);
    expect(doc.paths['/rest/offcode/activation/exchange'].post.security).toBeUndefined();
    expect(doc.paths['/metrics'].get.security).toEqual([{ basicAuth: [] }]);
  });

  it('OFF-0002: a known path with another method → 405 with Allow', async () => {
    const r = await http<{ responseObject: { code: string } }>(base, '/rest/v3/signature/offline/verify', {
      method: 'GET',
    });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
    expect(r.json.responseObject.code).toBe('OFF-0002');
    const put = await http<{ responseObject: { code: string } }>(base, '/rest/v3/status', {
      method: 'PUT',
      raw: '{}',
    });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('ERROR_NOT_FOUND: an unknown path → 404', async () => {
    await expectError(rest(base, '/rest/v3/no/such/method', {}), 404, 'ERROR_NOT_FOUND');
  });

  it('OFF-0101 not issued, OFF-0104 data mismatch, OFF-0102 expired, OFF-0103 consumed (no attempt counted)', async () => {
    const { token, activationId } = await activateToken(base, { protocol: 4 });
    const issued = await issuePayload(base, 4, { activationId });
    const foreignNonce = encodeBase64(new Uint8Array(randomBytes(16)));
    const notIssued = issued.requestData.replace(issued.nonce, foreignNonce);
    await expectError(
      rest(base, '/rest/v4/auth/offline/verify', {
        activationId,
        data: notIssued,
        authenticationCode: '12345678-12345678',
      }),
      400,
      'OFF-0101',
    );
    const parts = issued.requestData.split('&');
    parts[3] = encodeBase64(new TextEncoder().encode('other-operation&A1*A9999EUR'));
    await expectError(
      rest(base, '/rest/v4/auth/offline/verify', {
        activationId,
        data: parts.join('&'),
        authenticationCode: '12345678-12345678',
      }),
      400,
      'OFF-0104',
    );
    // Registry rejections are not attempts.
    expect((await ok(base, '/rest/v3/activation/status', { activationId })).failedAttempts).toBe(0);

    const { code } = await token.approve(issued.offlineData, { pin: '1234' });
    faults.clockOffsetMs = 301_000;
    try {
      await expectError(
        rest(base, '/rest/v4/auth/offline/verify', {
          activationId,
          data: issued.requestData,
          authenticationCode: code,
        }),
        400,
        'OFF-0102',
      );
    } finally {
      faults.clockOffsetMs = 0;
    }
    const fresh = await issuePayload(base, 4, { activationId });
    const second = await token.approve(fresh.offlineData, { pin: '1234' });
    expect(
      (
        await ok(base, '/rest/v4/auth/offline/verify', {
          activationId,
          data: fresh.requestData,
          authenticationCode: second.code,
        })
      ).authenticationValid,
    ).toBe(true);
    await expectError(
      rest(base, '/rest/v4/auth/offline/verify', {
        activationId,
        data: fresh.requestData,
        authenticationCode: second.code,
      }),
      400,
      'OFF-0103',
    );
  });

  it('OFF-0105: a caller nonce that is already recorded and not expired', async () => {
    const { activationId } = await activateToken(base, { protocol: 3 });
    const nonce = encodeBase64(new Uint8Array(randomBytes(16)));
    const data = 'op-1\nT\nM\nA1*A1EUR*ICZ2730300000001165254011\n';
    const first = await ok(base, '/rest/v3/signature/offline/personalized/create', {
      activationId,
      data,
      nonce,
    });
    expect(first.nonce).toBe(nonce);
    await expectError(
      rest(base, '/rest/v3/signature/offline/personalized/create', { activationId, data, nonce }),
      400,
      'OFF-0105',
    );
  });

  it('OFF-0201: database unreachable → 503 (and /healthz 503)', async () => {
    faults.storage = 'unavailable';
    try {
      await expectError(rest(base, '/rest/v3/application/list'), 503, 'OFF-0201');
      const health = await http(base, '/healthz', { method: 'GET' });
      expect(health.status).toBe(503);
    } finally {
      faults.storage = null;
    }
    const metrics = await http(base, '/metrics', { method: 'GET' });
    expect(metrics.text).toMatch(/^offcode_db_busy_total [1-9]\d*$/m);
  });
});

describe('logging (server.md §6.2)', () => {
  it('at trace level the log has request lines and internal errors, but no codes, activation codes or credentials', async () => {
    const lines: string[] = [];
    const logged = await attachApi(
      api.storage,
      { OFFCODE_MASTER_KEY: MASTER_KEY, OFFCODE_LOG_LEVEL: 'trace' },
      { logStream: { write: (line: string) => lines.push(line) } },
    );
    try {
      const init = await ok(logged.url, '/rest/v3/activation/init', {
        userId: 'logged',
        applicationId: DEMO_APP,
      });
      await http(logged.url, `/demo/token?code=${init.activationCode}&protocol=4`, { method: 'GET' });
      const secretCode = '98765432-98765432';
      await rest(
        logged.url,
        '/rest/v3/signature/offline/verify',
        {
          activationId: init.activationId,
          data: 'POST&AAAA&AAAAAAAAAAAAAAAAAAAAAA==&AAAA',
          signature: secretCode,
        },
        { authorization: 'Basic c2VjcmV0OnBhc3N3b3Jk' },
      );
      faults.storage = 'other';
      try {
        const failed = await rest(
          logged.url,
          '/rest/v3/activation/status',
          { activationId: init.activationId, signature: secretCode },
          { 'x-request-id': 'log-check-1' },
        );
        expect(failed.status).toBe(500);
      } finally {
        faults.storage = null;
      }
      const text = lines.join('');
      expect(text).toContain('"path":"/demo/token"');
      expect(text).toContain('internal error');
      expect(text).toContain('log-check-1');
      for (const secret of [init.activationCode, secretCode, 'c2VjcmV0OnBhc3N3b3Jk', 'password']) {
        expect(text).not.toContain(secret);
      }
    } finally {
      await logged.close();
    }
  });
});
