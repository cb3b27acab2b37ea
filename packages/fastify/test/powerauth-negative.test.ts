/**
 * Every refusal of the PowerAuth device API over real HTTP on PGlite and PostgreSQL (issue 14 item 3): a
 * device built on @offcode/protocol/pa3 breaks one thing at a time (MAC, temporary key, clock, nonce, code,
 * CRC, JSON, activation type, ECIES version, content type, body size, signature) and each answer is the
 * RESTful-integration envelope with the route's code while the enrollment tables stay as they were; both
 * header spellings and Gson's `\u003d` escapes are accepted; other PowerAuth endpoints are 404.
 */
import { generateActivationCode } from '@offcode/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pa3Device, TemporaryKey } from './powerauth-device.js';
import { enrollmentSnapshot } from './powerauth-fixtures.js';
import {
  type Answer,
  type Api,
  BODY_LIMIT,
  deviceWithKey,
  expectRefusal,
  freshApplication,
  post,
  startApi,
  wireHeaders,
} from './powerauth-http.js';

const CREATE = '/pa/v3/activation/create';

/** The body with one member replaced (`change` gets the old value). */
function withMember(body: Uint8Array, member: string, change: (old: unknown) => unknown): Uint8Array {
  const json = JSON.parse(Buffer.from(body).toString('utf8'));
  json[member] = change(json[member]);
  return new TextEncoder().encode(JSON.stringify(json));
}

function flipBase64(value: unknown): string {
  const bytes = Buffer.from(String(value), 'base64');
  bytes[0]! ^= 1;
  return bytes.toString('base64');
}

describe.each(['pglite', 'postgresql'] as const)('/pa/v3 refusals over HTTP on %s', (kind) => {
  let api: Api;
  let app: Awaited<ReturnType<typeof freshApplication>>;

  beforeAll(async () => {
    api = await startApi(kind);
    app = await freshApplication(api.server);
  });
  afterAll(async () => {
    await api?.close();
  });

  const init = () =>
    api.server.activations.init({ userId: `user-${Math.random()}`, applicationId: app.name });
  const snapshot = (activationId?: string) => enrollmentSnapshot(api.storage, activationId);

  /** An enrolled device (Android or iOS header form) over HTTP. */
  async function enrol(form: 'android' | 'ios' = 'android'): Promise<Pa3Device> {
    const created = await init();
    const { device, key } = await deviceWithKey(api.base, app.credentials);
    const call = device.activationCreate(key, created.activationCode, { timestamp: api.clock.t, form });
    const answer = await post(api.base, CREATE, call.body, wireHeaders(call.headers));
    expect(answer.status, answer.text).toBe(200);
    expect(device.completeActivation(JSON.parse(answer.text), call.envelopes).activationId).toBe(
      created.activationId,
    );
    return device;
  }

  /**
   * A fresh CREATED activation and device; `build` makes the (broken) request; the answer must be the
   * envelope with `code`, and nothing may change: no key, no replay digest, no history, no audit, and the
   * activation still CREATED with no device key.
   */
  async function refusedCreate(
    code: string,
    build: (d: { device: Pa3Device; key: TemporaryKey; code: string }) => {
      body: Uint8Array | string;
      headers: Record<string, string | undefined>;
    },
  ): Promise<Answer> {
    const created = await init();
    const { device, key } = await deviceWithKey(api.base, app.credentials);
    const request = build({ device, key, code: created.activationCode });
    const before = await snapshot(created.activationId);
    const answer = await post(api.base, CREATE, request.body, request.headers);
    expectRefusal(answer, code);
    expect(answer.text).not.toContain(created.activationCode);
    expect(answer.text).not.toContain(app.credentials.applicationSecret);
    expect(await snapshot(created.activationId)).toEqual(before);
    expect(before.activation).toMatchObject({ activation_status: 1, device: null });
    return answer;
  }

  const valid = (
    d: { device: Pa3Device; key: TemporaryKey; code: string },
    opts: Partial<Parameters<Pa3Device['activationCreate']>[2]> = {},
  ) => {
    const call = d.device.activationCreate(d.key, d.code, { timestamp: api.clock.t, ...opts });
    return { body: call.body, headers: wireHeaders(call.headers) };
  };

  it('accepts both X-PowerAuth-Encryption spellings (Android spaces, iOS commas) and Gson \\u003d escapes', async () => {
    for (const form of ['android', 'ios'] as const) {
      const created = await init();
      const { device, key } = await deviceWithKey(api.base, app.credentials);
      const call = device.activationCreate(key, created.activationCode, { timestamp: api.clock.t, form });
      expect(call.headers?.encryption).toMatch(form === 'ios' ? /", application_key=/ : /" application_key=/);
      // Gson writes every Base64 padding `=` as \u003d: the body on the wire carries the escapes.
      expect(Buffer.from(call.body).toString('utf8')).toContain('\\u003d');
      const answer = await post(api.base, CREATE, call.body, wireHeaders(call.headers));
      expect(answer.status, answer.text).toBe(200);
      device.completeActivation(JSON.parse(answer.text), call.envelopes);
      const { call: statusCall, challenge } = device.statusRequest();
      expect(Buffer.from(statusCall.body).toString('utf8')).toContain('\\u003d');
      const status = await post(api.base, '/pa/v3/activation/status', statusCall.body);
      expect(device.readStatus(JSON.parse(status.text), challenge)).toMatchObject({ status: 'ACTIVE' });
    }
  });

  it('wrong MAC, flipped ephemeral key, flipped encrypted data, one ms off in the body: ERR_ENCRYPTION', async () => {
    for (const member of ['mac', 'ephemeralPublicKey', 'encryptedData']) {
      await refusedCreate('ERR_ENCRYPTION', (d) => {
        const call = valid(d);
        return { ...call, body: withMember(call.body, member, flipBase64) };
      });
    }
    await refusedCreate('ERR_ENCRYPTION', (d) => {
      const call = valid(d);
      return { ...call, body: withMember(call.body, 'timestamp', (t) => Number(t) + 1) };
    });
  });

  it('unknown temporary key (outer and inner layer), and a key past its 5 minutes: ERR_TEMPORARY_KEY', async () => {
    await refusedCreate('ERR_TEMPORARY_KEY', (d) => valid({ ...d, key: { ...d.key, keyId: 'no-such-key' } }));
    await refusedCreate('ERR_TEMPORARY_KEY', (d) =>
      valid(d, { innerKey: { ...d.key, keyId: 'no-such-inner' } }),
    );
    await refusedCreate('ERR_TEMPORARY_KEY', (d) => {
      api.clock.advance(300_001);
      return valid(d);
    });
  });

  it('timestamp out of the 60 s window on both sides: ERR_ENCRYPTION', async () => {
    for (const skew of [-61_000, 61_000]) {
      await refusedCreate('ERR_ENCRYPTION', (d) => valid(d, { timestamp: api.clock.t + skew }));
    }
  });

  it('a replayed request (same nonce): the first enrols, the replay is refused and changes nothing', async () => {
    const created = await init();
    const { device, key } = await deviceWithKey(api.base, app.credentials);
    const call = device.activationCreate(key, created.activationCode, { timestamp: api.clock.t });
    expect((await post(api.base, CREATE, call.body, wireHeaders(call.headers))).status).toBe(200);
    const before = await snapshot(created.activationId);
    expectRefusal(await post(api.base, CREATE, call.body, wireHeaders(call.headers)), 'ERR_ENCRYPTION');
    expect(await snapshot(created.activationId)).toEqual(before);
  });

  it('unknown, used and mistyped (CRC) activation codes: ERR_ACTIVATION', async () => {
    await refusedCreate('ERR_ACTIVATION', (d) => valid({ ...d, code: generateActivationCode() }));
    const used = await enrol();
    const usedCode = (
      await api.storage.query<{ activation_code: string }>(
        'SELECT activation_code FROM oc_activation WHERE activation_id = $1',
        [used.activationId],
      )
    ).rows[0]!.activation_code;
    await refusedCreate('ERR_ACTIVATION', (d) => valid({ ...d, code: usedCode }));
    const crc = await refusedCreate('ERR_ACTIVATION', (d) =>
      valid({ ...d, code: d.code.startsWith('A') ? `B${d.code.slice(1)}` : `A${d.code.slice(1)}` }),
    );
    // A refused check is not named on the wire (only malformed input names its field).
    expect(JSON.parse(crc.text).responseObject.field).toBeUndefined();
  });

  it('activation types DIRECT, CUSTOM and RECOVERY: ERR_ACTIVATION', async () => {
    for (const type of ['DIRECT', 'CUSTOM', 'RECOVERY']) {
      await refusedCreate('ERR_ACTIVATION', (d) => valid(d, { outer: { type } }));
    }
  });

  it('ECIES versions other than 3.3, a missing header: ERR_ENCRYPTION', async () => {
    for (const version of ['3.2', '3.1', '3.0', '4.0']) {
      await refusedCreate('ERR_ENCRYPTION', (d) => {
        const call = valid(d);
        return {
          ...call,
          headers: {
            'x-powerauth-encryption': call.headers['x-powerauth-encryption']!.replace('3.3', version),
          },
        };
      });
    }
    await refusedCreate('ERR_ENCRYPTION', (d) => ({ body: valid(d).body, headers: {} }));
  });

  it('malformed JSON, wrong content type and a body over the limit, on every route: the route code, nothing created', async () => {
    const routes = [
      ['/pa/v3/keystore/create', 'ERR_TEMPORARY_KEY'],
      [CREATE, 'ERR_ENCRYPTION'],
      ['/pa/v3/activation/status', 'ERR_ACTIVATION'],
      ['/pa/v3/activation/remove', 'ERR_AUTHENTICATION'],
    ] as const;
    const { device } = await deviceWithKey(api.base, app.credentials);
    const keystore = device.keystoreRequest().body;
    const before = await snapshot();
    for (const [path, code] of routes) {
      for (const body of ['{"requestObject":', '{"temporaryKeyId":"x",}', '\u00ff', 'null', '[]']) {
        expectRefusal(await post(api.base, path, body), code);
      }
      // A valid keystore request under another content type (or none) is refused before the service runs.
      for (const contentType of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=latin1',
        null,
      ]) {
        const answer = await post(api.base, path, keystore, { 'content-type': contentType });
        expect(expectRefusal(answer, code).field).toBe('body');
      }
      const huge = `{"requestObject":{"jwt":"${'a'.repeat(BODY_LIMIT)}"}}`;
      const tooLarge = await post(api.base, path, huge);
      expect(expectRefusal(tooLarge, code).field).toBe('body');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('remove: a possession-only signature costs nothing; a wrong knowledge key counts one failed attempt', async () => {
    const device = await enrol();
    const before = await snapshot(device.activationId);
    const oneFactor = device.removeRequest({ type: 'possession' });
    expectRefusal(
      await post(api.base, '/pa/v3/activation/remove', oneFactor.body, wireHeaders(oneFactor.headers)),
      'ERR_AUTHENTICATION',
    );
    expect(await snapshot(device.activationId)).toEqual(before);
    const wrong = device.removeRequest({ wrongKnowledge: true });
    expectRefusal(
      await post(api.base, '/pa/v3/activation/remove', wrong.body, wireHeaders(wrong.headers)),
      'ERR_AUTHENTICATION',
    );
    const after = await snapshot(device.activationId);
    expect(after).toMatchObject({ temporaryKeys: before.temporaryKeys, replays: before.replays });
    expect(after.activation).toMatchObject({ activation_status: 3, failed_attempts: 1 });
  });

  it('remove is signed over the raw body bytes: a Gson-escaped body is accepted as sent, one byte less is not', async () => {
    const device = await enrol();
    const body = '{"reason":"lost\\u003d"}';
    const tampered = device.removeRequest({ body });
    expectRefusal(
      await post(api.base, '/pa/v3/activation/remove', '{"reason":"lost="}', wireHeaders(tampered.headers)),
      'ERR_AUTHENTICATION',
    );
    const signed = device.removeRequest({ body });
    const removed = await post(api.base, '/pa/v3/activation/remove', body, wireHeaders(signed.headers));
    expect(removed.status, removed.text).toBe(200);
    expect(JSON.parse(removed.text)).toEqual({
      status: 'OK',
      responseObject: { activationId: device.activationId },
    });
  });

  it('other PowerAuth endpoints and methods are 404 / 405 in the envelope and change nothing', async () => {
    const before = await snapshot();
    for (const path of [
      '/pa/v3/token/create',
      '/pa/v3/token/remove',
      '/pa/v3/vault/unlock',
      '/pa/v3/upgrade/start',
      '/pa/v3/upgrade/commit',
      '/pa/v3/recovery/confirm',
      '/pa/v3/activation/prepare',
      '/pa/v3/signature/validate',
    ]) {
      const answer = await post(api.base, path, '{}');
      expect(answer.status, path).toBe(404);
      expect(JSON.parse(answer.text)).toMatchObject({
        status: 'ERROR',
        responseObject: { code: 'ERROR_NOT_FOUND' },
      });
    }
    const get = await fetch(`${api.base}/pa/v3/keystore/create`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await snapshot()).toEqual(before);
  });

  it('device-facing: integration credentials are configured, yet neither needed nor checked here', async () => {
    const { device } = await deviceWithKey(api.base, app.credentials);
    const wrongPair = `Basic ${Buffer.from('bank-backend:wrong').toString('base64')}`;
    const answer = await post(api.base, '/pa/v3/keystore/create', device.keystoreRequest().body, {
      authorization: wrongPair,
    });
    expect(answer.status, answer.text).toBe(200);
  });
});
