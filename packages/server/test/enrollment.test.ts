/**
 * PowerAuth 3.3 enrollment against the server on PGlite and PostgreSQL, with a device built only on
 * @offcode/protocol/pa3: keystore/create, activation/create (Android and iOS header forms, ACTIVE and
 * PENDING_COMMIT), status, remove; every refusal of activation.md "Offcode decisions" answers its
 * RESTful-integration code and reason and writes nothing; failed remove signatures count as offline codes do;
 * the sweep purges expired keys and replay digests.
 */
import { encodeBase64, generateActivationCode } from '@offcode/protocol';
import { createKeystoreRequestJwt, gsonStringify } from '@offcode/protocol/pa3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnrollmentError } from '../src/enrollment/errors.js';
import type { OffcodeServer } from '../src/server.js';
import { deviceWithKey, enrollmentSnapshot, freshApplication, utf8 } from './enrollment-fixtures.js';
import { makeServer, TestClock, uniqueName } from './harness.js';
import { type AppCredentials, type EnrollmentCall, Pa3Device, type TemporaryKey } from './pa3-device.js';
import { type OpenedStorage, storageFactories } from './storages.js';

/** The code, reason and field of a refusal (fails the test for a success or another error). */
export async function refusal(
  p: Promise<unknown>,
): Promise<{ code: string; reason: string; field: string | null }> {
  try {
    await p;
  } catch (error) {
    if (error instanceof EnrollmentError)
      return { code: error.code, reason: error.reason, field: error.field };
    throw error;
  }
  throw new Error('expected a refusal, got a success');
}

describe.each(storageFactories)('PowerAuth 3.3 enrollment on $name', (factory) => {
  let opened: OpenedStorage;
  let server: OffcodeServer;
  const clock = new TestClock();
  let app: { name: string; credentials: AppCredentials };
  let pending: { name: string; credentials: AppCredentials };
  let other: { name: string; credentials: AppCredentials };

  beforeAll(async () => {
    opened = await factory.open();
    ({ server } = await makeServer(opened.storage, {}, { clock }));
    app = await freshApplication(server);
    pending = await freshApplication(server, { commitOnKeyExchange: false });
    other = await freshApplication(server);
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  const init = (application = app.name, extra: Record<string, unknown> = {}) =>
    server.activations.init({ userId: uniqueName('user'), applicationId: application, ...extra });

  async function enrol(
    credentials = app.credentials,
    application = app.name,
    form: 'android' | 'ios' = 'android',
  ) {
    const { activationCode, activationId } = await init(application);
    const { device, key } = await deviceWithKey(server, credentials);
    const call = device.activationCreate(key, activationCode, { timestamp: clock.t, form });
    const answer = await server.enrollment.activationCreate(call);
    const l2 = device.completeActivation(answer, call.envelopes);
    expect(l2.activationId).toBe(activationId);
    return device;
  }

  const status = async (device: Pa3Device) => {
    const { call, challenge } = device.statusRequest();
    return device.readStatus(await server.enrollment.activationStatus(call), challenge);
  };

  describe('keystore/create', () => {
    it('answers a temporary key signed with the master key, stored sealed and bound to the application key', async () => {
      const { key } = await deviceWithKey(server, app.credentials);
      const r = await opened.storage.query<Record<string, unknown>>(
        'SELECT application_key, activation_id, key_encryption, created_at, expires_at FROM oc_temporary_key WHERE key_id = $1',
        [key.keyId],
      );
      const row = r.rows[0]!;
      expect(row).toMatchObject({
        application_key: app.credentials.applicationKey,
        activation_id: null,
        key_encryption: 1,
      });
      expect(
        new Date(row.expires_at as string).getTime() - new Date(row.created_at as string).getTime(),
      ).toBe(300_000);
    });

    it('activation scope: a key bound to the activation, signed with its server key', async () => {
      const device = await enrol();
      const jwt = createKeystoreRequestJwt(device.suite, {
        applicationKey: app.credentials.applicationKey,
        applicationSecret: app.credentials.applicationSecret,
        activationId: device.activationId,
        transportKey: device.keys!.transport,
        challenge: encodeBase64(new Uint8Array(18).fill(7)),
      });
      const answer = await server.enrollment.keystoreCreate({
        body: utf8(gsonStringify({ requestObject: { jwt } })),
      });
      const claims = JSON.parse(
        Buffer.from(answer.responseObject.jwt.split('.')[1]!, 'base64url').toString('utf8'),
      );
      expect(claims.activationId).toBe(device.activationId);
      const r = await opened.storage.query<{ activation_id: string }>(
        'SELECT activation_id FROM oc_temporary_key WHERE key_id = $1',
        [claims.sub],
      );
      expect(r.rows[0]!.activation_id).toBe(device.activationId);
      // The same request signed with the application secret alone (application-scope key) is refused.
      const wrong = createKeystoreRequestJwt(device.suite, {
        applicationKey: app.credentials.applicationKey,
        applicationSecret: app.credentials.applicationSecret,
        activationId: device.activationId,
        transportKey: new Uint8Array(16),
      });
      expect(
        await refusal(
          server.enrollment.keystoreCreate({ body: utf8(gsonStringify({ requestObject: { jwt: wrong } })) }),
        ),
      ).toMatchObject({
        code: 'ERR_TEMPORARY_KEY',
        reason: 'jwt_signature',
      });
    });

    it.each([
      ['not JSON', 'malformed', 'body'],
      ['{}', 'malformed', 'requestObject'],
      ['{"requestObject":{"jwt":42}}', 'malformed', 'requestObject.jwt'],
      ['{"requestObject":{"jwt":"a.b.c"}}', 'malformed', 'jwt'],
    ])('refuses the body %s (ERR_TEMPORARY_KEY %s on %s) and stores nothing', async (body, reason, field) => {
      const before = await enrollmentSnapshot(opened.storage);
      expect(await refusal(server.enrollment.keystoreCreate({ body: utf8(body) }))).toEqual({
        code: 'ERR_TEMPORARY_KEY',
        reason,
        field,
      });
      expect(await enrollmentSnapshot(opened.storage)).toEqual(before);
    });

    it('refuses an unknown application key, a wrong application secret and an unknown activation; stores nothing', async () => {
      const before = await enrollmentSnapshot(opened.storage);
      const stranger = new Pa3Device({
        ...app.credentials,
        applicationKey: encodeBase64(new Uint8Array(16).fill(1)),
      });
      expect(await refusal(server.enrollment.keystoreCreate(stranger.keystoreRequest()))).toMatchObject({
        code: 'ERR_TEMPORARY_KEY',
        reason: 'application',
      });
      const wrongSecret = new Pa3Device(app.credentials);
      expect(
        await refusal(
          server.enrollment.keystoreCreate(
            wrongSecret.keystoreRequest({ secret: encodeBase64(new Uint8Array(16)) }),
          ),
        ),
      ).toMatchObject({ code: 'ERR_TEMPORARY_KEY', reason: 'jwt_signature' });
      const jwt = createKeystoreRequestJwt(wrongSecret.suite, {
        ...app.credentials,
        activationId: '1b7e8a4c-8c36-4e5f-9b1e-000000000000',
        transportKey: new Uint8Array(16),
      });
      expect(
        await refusal(
          server.enrollment.keystoreCreate({ body: utf8(gsonStringify({ requestObject: { jwt } })) }),
        ),
      ).toMatchObject({
        code: 'ERR_TEMPORARY_KEY',
        reason: 'activation_state',
      });
      expect(await enrollmentSnapshot(opened.storage)).toEqual(before);
    });
  });

  describe('activation/create', () => {
    it('enrols with the Android and the iOS header form; ACTIVE at once, the status blob reads ACTIVE', async () => {
      for (const form of ['android', 'ios'] as const) {
        const device = await enrol(app.credentials, app.name, form);
        expect(await status(device)).toMatchObject({
          status: 'ACTIVE',
          ctrByte: 0,
          failedAttempts: 0,
          maxFailedAttempts: 5,
          ctrLookAhead: 20,
        });
        const detail = await server.activations.status({ activationId: device.activationId });
        expect(detail).toMatchObject({
          activationStatus: 'ACTIVE',
          protocolVersion: 3,
          activationName: 'Test phone',
          counter: 0,
        });
      }
    });

    it('answers PENDING_COMMIT for an application that commits on commit; commit makes it ACTIVE', async () => {
      const device = await enrol(pending.credentials, pending.name);
      expect(await status(device)).toMatchObject({ status: 'PENDING_COMMIT' });
      await server.activations.commit({ activationId: device.activationId });
      expect(await status(device)).toMatchObject({ status: 'ACTIVE' });
    });

    /** A fresh code and device; `mutate` breaks the call; the refusal writes nothing. */
    async function refused(
      build: (ctx: {
        device: Pa3Device;
        key: TemporaryKey;
        code: string;
      }) => EnrollmentCall | Promise<EnrollmentCall>,
      expected: { code: string; reason: string; field?: string | null },
      code?: string,
    ) {
      const created = await init();
      const { device, key } = await deviceWithKey(server, app.credentials);
      const call = await build({ device, key, code: code ?? created.activationCode });
      const before = await enrollmentSnapshot(opened.storage, created.activationId);
      expect(await refusal(server.enrollment.activationCreate(call))).toMatchObject(expected);
      expect(await enrollmentSnapshot(opened.storage, created.activationId)).toEqual(before);
      expect((await server.activations.status({ activationId: created.activationId })).activationStatus).toBe(
        'CREATED',
      );
    }

    const call = (
      d: { device: Pa3Device; key: TemporaryKey; code: string },
      opts: Parameters<Pa3Device['activationCreate']>[2] = { timestamp: 0 },
    ) => d.device.activationCreate(d.key, d.code, { ...opts, timestamp: opts.timestamp || clock.t });

    it.each([
      [
        'no X-PowerAuth-Encryption header',
        (c: EnrollmentCall) => ({ body: c.body }),
        'ERR_ENCRYPTION',
        'malformed',
      ],
      [
        'ECIES version 3.2',
        (c: EnrollmentCall) => ({
          ...c,
          headers: { encryption: c.headers!.encryption!.replace('3.3', '3.2') },
        }),
        'ERR_ENCRYPTION',
        'unsupported_version',
      ],
      [
        'an activation_id in the header',
        (c: EnrollmentCall) => ({
          ...c,
          headers: {
            encryption: `${c.headers!.encryption} activation_id="1b7e8a4c-8c36-4e5f-9b1e-000000000000"`,
          },
        }),
        'ERR_ENCRYPTION',
        'malformed',
      ],
      [
        'a body that is not JSON',
        (c: EnrollmentCall) => ({ ...c, body: utf8('{"temporaryKeyId":') }),
        'ERR_ENCRYPTION',
        'malformed',
      ],
      [
        'a flipped MAC bit',
        (c: EnrollmentCall) => {
          const body = JSON.parse(Buffer.from(c.body).toString('utf8'));
          const mac = Buffer.from(body.mac, 'base64');
          mac[0]! ^= 1;
          return { ...c, body: utf8(JSON.stringify({ ...body, mac: mac.toString('base64') })) };
        },
        'ERR_ENCRYPTION',
        'mac',
      ],
      [
        'a timestamp one ms off in the body (MAC fails)',
        (c: EnrollmentCall) => {
          const body = JSON.parse(Buffer.from(c.body).toString('utf8'));
          return { ...c, body: utf8(JSON.stringify({ ...body, timestamp: body.timestamp + 1 })) };
        },
        'ERR_ENCRYPTION',
        'mac',
      ],
    ] as const)('refuses %s and writes nothing', async (_name, mutate, code, reason) => {
      await refused((d) => mutate(call(d)), { code, reason });
    });

    it('refuses timestamps outside the window on both sides (61 s old, 61 s ahead)', async () => {
      for (const skew of [-61_000, 61_000]) {
        await refused((d) => call(d, { timestamp: clock.t + skew }), {
          code: 'ERR_ENCRYPTION',
          reason: 'timestamp_window',
          field: 'timestamp',
        });
      }
    });

    it("refuses an unknown, an expired and another application's temporary key (ERR_TEMPORARY_KEY)", async () => {
      await refused((d) => call({ ...d, key: { ...d.key, keyId: 'no-such-key' } }), {
        code: 'ERR_TEMPORARY_KEY',
        reason: 'temporary_key_unknown',
      });
      await refused(
        async (d) => {
          const { key } = await deviceWithKey(server, other.credentials);
          return call({ ...d, key });
        },
        { code: 'ERR_TEMPORARY_KEY', reason: 'temporary_key_scope' },
      );
      await refused(
        (d) =>
          call(
            { ...d, key: d.key },
            { timestamp: clock.t, innerKey: { ...d.key, keyId: 'no-such-inner-key' } },
          ),
        {
          code: 'ERR_TEMPORARY_KEY',
          reason: 'temporary_key_unknown',
        },
      );
      const created = await init(app.name, {
        timestampActivationExpire: new Date(clock.t + 3_600_000).toISOString(),
      });
      const { device, key } = await deviceWithKey(server, app.credentials);
      clock.advance(300_001);
      const late = device.activationCreate(key, created.activationCode, { timestamp: clock.t });
      expect(await refusal(server.enrollment.activationCreate(late))).toMatchObject({
        code: 'ERR_TEMPORARY_KEY',
        reason: 'temporary_key_expired',
      });
    });

    it('refuses a replayed request: the first enrols, the replay is refused before the code is looked at', async () => {
      const created = await init();
      const { device, key } = await deviceWithKey(server, app.credentials);
      const c = device.activationCreate(key, created.activationCode, { timestamp: clock.t });
      await server.enrollment.activationCreate(c);
      const before = await enrollmentSnapshot(opened.storage, created.activationId);
      expect(await refusal(server.enrollment.activationCreate(c))).toMatchObject({
        code: 'ERR_ENCRYPTION',
        reason: 'replay',
        field: 'nonce',
      });
      expect(await enrollmentSnapshot(opened.storage, created.activationId)).toEqual(before);
    });

    it('refuses unknown, used, mistyped (CRC) and malformed codes and a code of another application', async () => {
      await refused(
        (d) => call(d),
        { code: 'ERR_ACTIVATION', reason: 'code_unknown' },
        generateActivationCode(),
      );
      const used = await enrol();
      const usedCode = (
        await opened.storage.query<{ activation_code: string }>(
          'SELECT activation_code FROM oc_activation WHERE activation_id = $1',
          [used.activationId],
        )
      ).rows[0]!.activation_code;
      await refused((d) => call(d), { code: 'ERR_ACTIVATION', reason: 'code_used' }, usedCode);
      await refused(
        (d) => {
          const typo = d.code.startsWith('A') ? `B${d.code.slice(1)}` : `A${d.code.slice(1)}`;
          return call({ ...d, code: typo });
        },
        { code: 'ERR_ACTIVATION', reason: 'code_crc', field: 'identityAttributes.code' },
      );
      await refused((d) => call({ ...d, code: 'AAAAA-AAAAA' }), {
        code: 'ERR_ACTIVATION',
        reason: 'malformed',
      });
      const foreign = await init(other.name);
      await refused(
        (d) => call(d),
        { code: 'ERR_ACTIVATION', reason: 'code_unknown' },
        foreign.activationCode,
      );
    });

    it('refuses activation types other than CODE, an activation OTP and a device key that is not a P-256 point', async () => {
      await refused((d) => call(d, { timestamp: clock.t, outer: { type: 'DIRECT' } }), {
        code: 'ERR_ACTIVATION',
        reason: 'unsupported_type',
      });
      await refused((d) => call(d, { timestamp: clock.t, outer: { type: 'RECOVERY' } }), {
        code: 'ERR_ACTIVATION',
        reason: 'unsupported_type',
      });
      await refused((d) => call(d, { timestamp: clock.t, inner: { activationOtp: '12345' } }), {
        code: 'ERR_ACTIVATION',
        reason: 'unsupported_otp',
      });
      await refused(
        (d) =>
          call(d, {
            timestamp: clock.t,
            inner: { devicePublicKey: encodeBase64(Uint8Array.from([2, ...new Uint8Array(32).fill(0xff)])) },
          }),
        {
          code: 'ERR_ACTIVATION',
          reason: 'malformed',
          field: 'devicePublicKey',
        },
      );
    });

    it('an expired code is refused and the activation marked REMOVED (ACTIVATION_EXPIRED)', async () => {
      const created = await init(app.name, {
        timestampActivationExpire: new Date(clock.t + 20_000).toISOString(),
      });
      const { device, key } = await deviceWithKey(server, app.credentials);
      clock.advance(20_000);
      const c = device.activationCreate(key, created.activationCode, { timestamp: clock.t });
      expect(await refusal(server.enrollment.activationCreate(c))).toMatchObject({
        code: 'ERR_ACTIVATION',
        reason: 'code_expired',
      });
      const h = await server.activations.history({ activationId: created.activationId });
      expect(h.items.at(-1)).toMatchObject({
        activationStatus: 'REMOVED',
        eventReason: 'ACTIVATION_EXPIRED',
      });
    });

    it('messages and wire objects never carry the code, a key, a nonce or the secret', async () => {
      const created = await init();
      const { device, key } = await deviceWithKey(server, app.credentials);
      const c = device.activationCreate(
        key,
        `${created.activationCode.slice(0, -1)}${created.activationCode.endsWith('A') ? 'B' : 'A'}`,
        { timestamp: clock.t },
      );
      const body = JSON.parse(Buffer.from(c.body).toString('utf8'));
      try {
        await server.enrollment.activationCreate(c);
        throw new Error('expected a refusal');
      } catch (error) {
        const e = error as EnrollmentError;
        const text = `${e.message} ${JSON.stringify(e.toResponseObject())}`;
        for (const secret of [
          created.activationCode.slice(0, 11),
          app.credentials.applicationSecret,
          body.nonce,
          body.ephemeralPublicKey,
          key.keyId,
        ]) {
          expect(text).not.toContain(secret);
        }
        expect(e.toResponseObject()).toEqual({
          code: 'ERR_ACTIVATION',
          message: 'POWER_AUTH_ACTIVATION_INVALID',
        });
      }
    });
  });

  describe('activation/status', () => {
    it('answers a random blob for unknown and CREATED activations and refuses malformed requests', async () => {
      const created = await init();
      for (const activationId of ['6f1c1c2e-4c3b-4d2a-9e8f-7a6b5c4d3e2f', created.activationId]) {
        const body = utf8(
          gsonStringify({ requestObject: { activationId, challenge: encodeBase64(new Uint8Array(16)) } }),
        );
        const answer = await server.enrollment.activationStatus({ body });
        expect(Buffer.from(answer.responseObject.encryptedStatusBlob, 'base64')).toHaveLength(32);
        expect(answer.responseObject).toMatchObject({ activationId, customObject: null });
      }
      for (const [body, field] of [
        [
          '{"requestObject":{"activationId":"x","challenge":"AAAAAAAAAAAAAAAAAAAAAA=="}}',
          'requestObject.activationId',
        ],
        [
          `{"requestObject":{"activationId":"${created.activationId}","challenge":"AAAA"}}`,
          'requestObject.challenge',
        ],
        ['[]', 'body'],
      ] as const) {
        expect(await refusal(server.enrollment.activationStatus({ body: utf8(body) }))).toEqual({
          code: 'ERR_ACTIVATION',
          reason: 'malformed',
          field,
        });
      }
    });
  });

  describe('activation/remove', () => {
    it('removes with possession_knowledge and possession_biometry; the lookahead covers skipped counters', async () => {
      const a = await enrol();
      a.removeRequest(); // a signature the server never saw: the next is one step ahead
      await server.enrollment.activationRemove(a.removeRequest());
      expect(await server.activations.status({ activationId: a.activationId })).toMatchObject({
        activationStatus: 'REMOVED',
        counter: 2,
      });
      const b = await enrol();
      expect(
        await server.enrollment.activationRemove(
          b.removeRequest({ type: 'possession_biometry', version: '3.1' }),
        ),
      ).toEqual({
        status: 'OK',
        responseObject: { activationId: b.activationId },
      });
    });

    it('refuses 1FA types, version 3.0, a missing header and an unknown activation: nothing counted', async () => {
      const device = await enrol();
      const before = await enrollmentSnapshot(opened.storage, device.activationId);
      for (const type of ['possession', 'knowledge', 'biometry'] as const) {
        expect(
          await refusal(server.enrollment.activationRemove(device.removeRequest({ type }))),
        ).toMatchObject({ code: 'ERR_AUTHENTICATION', reason: 'signature_type' });
      }
      const v30 = device.removeRequest();
      v30.headers!.authorization = v30.headers!.authorization!.replace(
        'pa_version="3.3"',
        'pa_version="3.0"',
      );
      expect(await refusal(server.enrollment.activationRemove(v30))).toMatchObject({
        code: 'ERR_AUTHENTICATION',
        reason: 'unsupported_version',
      });
      expect(await refusal(server.enrollment.activationRemove({ body: utf8('{}') }))).toMatchObject({
        code: 'ERR_AUTHENTICATION',
        reason: 'malformed',
      });
      const stranger = device.removeRequest();
      stranger.headers!.authorization = stranger.headers!.authorization!.replace(
        device.activationId,
        '6f1c1c2e-4c3b-4d2a-9e8f-7a6b5c4d3e2f',
      );
      expect(await refusal(server.enrollment.activationRemove(stranger))).toMatchObject({
        code: 'ERR_AUTHENTICATION',
        reason: 'application',
      });
      expect(await enrollmentSnapshot(opened.storage, device.activationId)).toEqual(before);
      // Still removable with a valid signature (within the lookahead after the refused ones).
      await server.enrollment.activationRemove(device.removeRequest());
    });

    it('a wrong signature or another body counts one failed attempt each (audited) and blocks at the limit', async () => {
      const { activationCode } = await init(app.name, { maxFailureCount: 2 });
      const { device, key } = await deviceWithKey(server, app.credentials);
      const c = device.activationCreate(key, activationCode, { timestamp: clock.t });
      device.completeActivation(await server.enrollment.activationCreate(c), c.envelopes);
      expect(
        await refusal(server.enrollment.activationRemove(device.removeRequest({ wrongKnowledge: true }))),
      ).toMatchObject({
        code: 'ERR_AUTHENTICATION',
        reason: 'signature',
      });
      expect(await status(device)).toMatchObject({ status: 'ACTIVE', failedAttempts: 1 });
      const tampered = device.removeRequest();
      expect(
        await refusal(server.enrollment.activationRemove({ ...tampered, body: utf8('{ }') })),
      ).toMatchObject({ reason: 'signature' });
      expect(await status(device)).toMatchObject({ status: 'BLOCKED', failedAttempts: 2 });
      expect(await refusal(server.enrollment.activationRemove(device.removeRequest()))).toMatchObject({
        reason: 'activation_state',
      });
      const audit = await server.audit.list({
        activationId: device.activationId,
        timestampFrom: new Date(0).toISOString(),
      });
      expect(audit.items.map((i) => [i.valid, i.note])).toEqual([
        [false, 'signature_does_not_match'],
        [false, 'signature_does_not_match'],
      ]);
    });
  });

  it('the sweep purges expired temporary keys and replay digests', async () => {
    await enrol();
    clock.advance(3_600_000);
    const swept = await server.maintenance.sweep();
    expect(swept.purgedTemporaryKeys).toBeGreaterThan(0);
    expect(swept.purgedReplays).toBeGreaterThan(0);
    expect(await enrollmentSnapshot(opened.storage)).toMatchObject({ temporaryKeys: 0, replays: 0 });
  });
});
