import { decodeBase64Strict, encodeBase64, utf8Encode, verifyEcdsaDer } from '@offcode/protocol';
import { parseMobileSdkConfig } from '@offcode/protocol/pa3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedDevice } from '../../test/device.js';
import {
  activateDevice,
  createApp,
  errorCode,
  makeServer,
  type TestClock,
  uniqueName,
} from '../../test/harness.js';
import { type OpenedStorage, storageFactories } from '../../test/storages.js';
import { SUITE } from '../../test/suite.js';
import type { OffcodeServer } from '../server.js';

describe.each(storageFactories)('applications and activations on $name', (factory) => {
  let opened: OpenedStorage;
  let server: OffcodeServer;
  let clock: TestClock;

  beforeAll(async () => {
    opened = await factory.open();
    ({ server, clock } = await makeServer(opened.storage));
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  describe('applications', () => {
    it('creates an application with both master key pairs and a default version', async () => {
      const name = uniqueName('bank');
      const created = await server.applications.create({ applicationId: name, applicationRoles: ['ROLE_A'] });
      expect(created).toEqual({ applicationId: name, applicationRoles: ['ROLE_A'] });
      const detail = await server.applications.detail({ applicationId: name });
      expect(decodeBase64Strict(detail.masterPublicKey!)).toHaveLength(65);
      expect(detail.masterPublicKeys.EC_P256).toBe(detail.masterPublicKey);
      expect(decodeBase64Strict(detail.masterPublicKeys.EC_P384!)).toHaveLength(97);
      expect(detail.versions).toHaveLength(1);
      expect(detail.versions[0]).toMatchObject({
        applicationVersionId: 'default',
        supported: true,
      });
      expect(decodeBase64Strict(detail.versions[0]!.applicationKey)).toHaveLength(16);
      // The PowerAuth mobile SDK configuration string holds exactly this version's key, secret and P-256 key.
      const sdk = parseMobileSdkConfig(detail.versions[0]!.mobileSdkConfig!);
      expect(encodeBase64(sdk.applicationKey)).toBe(detail.versions[0]!.applicationKey);
      expect(encodeBase64(sdk.applicationSecret)).toBe(detail.versions[0]!.applicationSecret);
      expect([...sdk.keys.keys()]).toEqual([1]);
      expect(encodeBase64(sdk.keys.get(1)!)).toBe(detail.masterPublicKey);
      expect(detail.commitOnKeyExchange).toBe(false);
      const list = await server.applications.list({});
      expect(list.applications).toContainEqual({ applicationId: name, applicationRoles: ['ROLE_A'] });
    });

    it('creates versions and refuses duplicates (ERR0043) and unknown applications (ERR0015)', async () => {
      const name = await createApp(server);
      const v = await server.applications.createVersion({ applicationId: name, applicationVersionId: '1.2' });
      expect(v).toMatchObject({ applicationVersionId: '1.2', supported: true });
      expect(
        await errorCode(
          server.applications.createVersion({ applicationId: name, applicationVersionId: '1.2' }),
        ),
      ).toBe('ERR0043');
      expect(await errorCode(server.applications.create({ applicationId: name }))).toBe('ERR0043');
      expect(await errorCode(server.applications.detail({ applicationId: uniqueName('none') }))).toBe(
        'ERR0015',
      );
      expect(
        await errorCode(
          server.applications.createVersion({ applicationId: uniqueName('none'), applicationVersionId: 'x' }),
        ),
      ).toBe('ERR0015');
      expect((await server.applications.detail({ applicationId: name })).versions).toHaveLength(2);
    });

    it('stores master private keys encrypted and bound to their row', async () => {
      const a = await createApp(server);
      const b = await createApp(server);
      const rows = await opened.storage.query<{
        private_key: Uint8Array;
        private_key_encryption: number;
        name: string;
      }>(
        `SELECT k.private_key, k.private_key_encryption, a.name FROM oc_master_keypair k JOIN oc_application a ON a.id = k.application_id
         WHERE a.name IN ($1, $2) AND k.algorithm = 'EC_P256' ORDER BY a.name = $1 DESC`,
        [a, b],
      );
      expect(rows.rows.map((r) => Number(r.private_key_encryption))).toEqual([1, 1]);
      expect(rows.rows[0]!.private_key[0]).toBe(1);
      // Copy app a's sealed key into app b's row: decrypting it there must fail (AAD = table/app/alg/public key).
      await opened.storage.query(
        `UPDATE oc_master_keypair SET private_key = $1 WHERE algorithm = 'EC_P256'
         AND application_id = (SELECT id FROM oc_application WHERE name = $2)`,
        [rows.rows[0]!.private_key, b],
      );
      expect(
        await errorCode(
          server.offline.createNonPersonalized(3, { applicationId: b, data: 'x\nT\nM\nA1*A1EUR\n' }),
        ),
      ).toBe('ERR0022');
      expect(
        await errorCode(
          server.offline.createNonPersonalized(3, { applicationId: a, data: 'x\nT\nM\nA1*A1EUR\n' }),
        ),
      ).toBe('OK');
      expect(await errorCode(server.activations.init({ userId: 'u', applicationId: b }))).toBe('ERR0022');
    });

    it('uses the newest master key pair after rotation', async () => {
      const name = await createApp(server);
      const before = await server.applications.detail({ applicationId: name });
      const rotated = await server.applications.rotateMasterKeys({ applicationId: name });
      const after = await server.applications.detail({ applicationId: name });
      expect(after.masterPublicKeys).toEqual(rotated.masterPublicKeys);
      expect(after.masterPublicKey).not.toBe(before.masterPublicKey);
      const init = await server.activations.init({ userId: 'u', applicationId: name });
      const msg = utf8Encode(init.activationCode);
      const sig = decodeBase64Strict(init.activationSignatures.EC_P384);
      expect(
        verifyEcdsaDer(SUITE, 'P-384', decodeBase64Strict(after.masterPublicKeys.EC_P384!), msg, sig),
      ).toBe(true);
      expect(
        verifyEcdsaDer(SUITE, 'P-384', decodeBase64Strict(before.masterPublicKeys.EC_P384!), msg, sig),
      ).toBe(false);
    });
  });

  describe('activation lifecycle', () => {
    it('init answers a CRC-checked code signed with both master keys; status shows CREATED', async () => {
      const app = await createApp(server);
      const detail = await server.applications.detail({ applicationId: app });
      const init = await server.activations.init({
        userId: 'alice',
        applicationId: app,
        flags: ['F1'],
        maxFailureCount: 3,
      });
      expect(init.activationCode).toMatch(/^[A-Z2-7]{5}(-[A-Z2-7]{5}){3}$/);
      const msg = utf8Encode(init.activationCode);
      expect(
        verifyEcdsaDer(
          SUITE,
          'P-256',
          decodeBase64Strict(detail.masterPublicKey!),
          msg,
          decodeBase64Strict(init.activationSignature),
        ),
      ).toBe(true);
      expect(init.activationSignatures.EC_P256).toBe(init.activationSignature);
      expect(
        verifyEcdsaDer(
          SUITE,
          'P-384',
          decodeBase64Strict(detail.masterPublicKeys.EC_P384!),
          msg,
          decodeBase64Strict(init.activationSignatures.EC_P384),
        ),
      ).toBe(true);
      const status = await server.activations.status({ activationId: init.activationId });
      expect(status).toMatchObject({
        activationStatus: 'CREATED',
        userId: 'alice',
        applicationId: app,
        activationFlags: ['F1'],
        maxFailedAttempts: 3,
        failedAttempts: 0,
        commitPhase: 'ON_COMMIT',
        protocol: 'powerauth',
        version: null,
        activationCode: init.activationCode,
        activationSignature: init.activationSignature,
        encryptedStatusBlob: null,
      });
      expect(status.timestampActivationExpire).toBe(new Date(clock.t + 300_000).toISOString());
    });

    it.each([3, 4] as const)(
      'exchange V%i stores keys (encrypted, bound to the row), commit makes it ACTIVE',
      async (version) => {
        const app = await createApp(server);
        const init = await server.activations.init({ userId: 'bob', applicationId: app });
        const device = new SimulatedDevice(version);
        const answer = await server.activations.exchange(
          device.exchangeRequest(init.activationCode, { activationName: 'Phone' }, true),
        );
        expect(answer).toMatchObject({
          activationId: init.activationId,
          userId: 'bob',
          activationStatus: 'PENDING_COMMIT',
          protocolVersion: version,
        });
        expect(decodeBase64Strict(answer.serverPublicKey)).toHaveLength(version === 3 ? 65 : 97);
        expect(decodeBase64Strict(answer.ctrData)).toHaveLength(version === 3 ? 16 : 32);
        expect(answer.masterPublicKey).toBe(
          (await server.applications.detail({ applicationId: app })).masterPublicKeys[
            version === 3 ? 'EC_P256' : 'EC_P384'
          ],
        );
        expect(answer.offlineComponentLength).toBe(8);

        const row = (
          await opened.storage.query<Record<string, unknown>>(
            'SELECT * FROM oc_activation WHERE activation_id = $1',
            [init.activationId],
          )
        ).rows[0]!;
        expect(Number(row.key_encryption)).toBe(1);
        // V3 keeps the server private key (ECDSA signatures) and KEY_MASTER_SECRET, V4 only its secret.
        expect(row.activation_secret).toBeInstanceOf(Uint8Array);
        if (version === 3) expect(row.server_private_key).toBeInstanceOf(Uint8Array);
        else expect(row.server_private_key).toBeNull();

        const status = await server.activations.status({ activationId: init.activationId });
        expect(status).toMatchObject({
          activationStatus: 'PENDING_COMMIT',
          activationName: 'Phone',
          version,
          activationCode: null,
          biometryEnabled: true,
        });
        expect(
          await server.activations.commit({ activationId: init.activationId, externalUserId: 'op1' }),
        ).toEqual({
          activationId: init.activationId,
          activated: true,
        });
        expect((await server.activations.status({ activationId: init.activationId })).activationStatus).toBe(
          'ACTIVE',
        );
        const history = await server.activations.history({ activationId: init.activationId });
        expect(history.items.map((h) => h.activationStatus)).toEqual(['CREATED', 'PENDING_COMMIT', 'ACTIVE']);
        expect(history.items[2]!.externalUserId).toBe('op1');
      },
    );

    it('answers an exact retry of the exchange with the same answer and refuses a different key (ERR0008)', async () => {
      const app = await createApp(server);
      const init = await server.activations.init({ userId: 'u', applicationId: app });
      const device = new SimulatedDevice(4);
      const request = device.exchangeRequest(init.activationCode);
      const first = await server.activations.exchange(request);
      // Same key in compressed form and lower-case code is the same request.
      const again = await server.activations.exchange({
        ...device.exchangeRequest(init.activationCode.toLowerCase(), {}, true),
      });
      expect(again).toEqual(first);
      expect(
        await errorCode(
          server.activations.exchange(new SimulatedDevice(4).exchangeRequest(init.activationCode)),
        ),
      ).toBe('ERR0008');
      expect(
        await errorCode(
          server.activations.exchange(new SimulatedDevice(3).exchangeRequest(init.activationCode)),
        ),
      ).toBe('ERR0008');
      expect((await server.activations.history({ activationId: init.activationId })).items).toHaveLength(2);
    });

    it('commits on key exchange when the application says so', async () => {
      const app = await createApp(server, { commitOnKeyExchange: true });
      const init = await server.activations.init({ userId: 'u', applicationId: app });
      const answer = await server.activations.exchange(
        new SimulatedDevice(3).exchangeRequest(init.activationCode),
      );
      expect(answer.activationStatus).toBe('ACTIVE');
      const forced = await server.activations.init({
        userId: 'u',
        applicationId: app,
        commitPhase: 'ON_COMMIT',
      });
      expect(
        (await server.activations.exchange(new SimulatedDevice(3).exchangeRequest(forced.activationCode)))
          .activationStatus,
      ).toBe('PENDING_COMMIT');
    });

    it('refuses an expired exchange (ERR0007) and removes the activation', async () => {
      const app = await createApp(server);
      const init = await server.activations.init({
        userId: 'u',
        applicationId: app,
        timestampActivationExpire: clock.t + 60_000,
      });
      clock.advance(60_000);
      expect(
        await errorCode(
          server.activations.exchange(new SimulatedDevice(3).exchangeRequest(init.activationCode)),
        ),
      ).toBe('ERR0007');
      expect((await server.activations.status({ activationId: init.activationId })).activationStatus).toBe(
        'REMOVED',
      );
      expect(
        (await server.activations.history({ activationId: init.activationId })).items.at(-1),
      ).toMatchObject({
        activationStatus: 'REMOVED',
        eventReason: 'ACTIVATION_EXPIRED',
      });
      // A commit after the deadline is refused the same way.
      const late = await server.activations.init({
        userId: 'u',
        applicationId: app,
        timestampActivationExpire: clock.t + 60_000,
      });
      await server.activations.exchange(new SimulatedDevice(4).exchangeRequest(late.activationCode));
      clock.advance(60_000);
      expect(await errorCode(server.activations.commit({ activationId: late.activationId }))).toBe('ERR0007');
      expect((await server.activations.status({ activationId: late.activationId })).activationStatus).toBe(
        'REMOVED',
      );
    });

    it('checks application, application key, protocol version and device key in the exchange', async () => {
      const app = await createApp(server);
      const key = (await server.applications.detail({ applicationId: app })).versions[0]!.applicationKey;
      const fresh = async () =>
        (await server.activations.init({ userId: 'u', applicationId: app })).activationCode;
      expect(
        await errorCode(
          server.activations.exchange(
            new SimulatedDevice(3).exchangeRequest(await fresh(), { applicationId: 'other' }),
          ),
        ),
      ).toBe('ERR0015');
      expect(
        await errorCode(
          server.activations.exchange(
            new SimulatedDevice(3).exchangeRequest(await fresh(), {
              applicationKey: 'AAAAAAAAAAAAAAAAAAAAAA==',
            }),
          ),
        ),
      ).toBe('ERR0015');
      expect(
        await errorCode(
          server.activations.exchange(
            new SimulatedDevice(3).exchangeRequest(await fresh(), {
              applicationId: app,
              applicationKey: key,
            }),
          ),
        ),
      ).toBe('OK');
      // A P-384 key for V3 is not a P-256 point (ERR0010); bad Base64 is a request error (ERR0024).
      const p384 = new SimulatedDevice(4).exchangeRequest('x').devicePublicKey;
      expect(
        await errorCode(
          server.activations.exchange({
            ...new SimulatedDevice(3).exchangeRequest(await fresh()),
            devicePublicKey: p384,
          }),
        ),
      ).toBe('ERR0010');
      const offCurve = Buffer.alloc(65, 1);
      offCurve[0] = 4;
      expect(
        await errorCode(
          server.activations.exchange({
            ...new SimulatedDevice(3).exchangeRequest(await fresh()),
            devicePublicKey: offCurve.toString('base64'),
          }),
        ),
      ).toBe('ERR0010');
      expect(
        await errorCode(
          server.activations.exchange({
            ...new SimulatedDevice(3).exchangeRequest(await fresh()),
            devicePublicKey: 'AB==',
          }),
        ),
      ).toBe('ERR0024');
      expect(
        await errorCode(
          server.activations.exchange(new SimulatedDevice(3).exchangeRequest('AAAAA-AAAAA-AAAAA-AAAAB')),
        ),
      ).toBe('ERR0024');
      expect(
        await errorCode(
          server.activations.exchange(new SimulatedDevice(3).exchangeRequest('AAAAA-AAAAA-AAAAA-AAAAA')),
        ),
      ).toBe('ERR0009');
      const { server: v3only } = await makeServer(opened.storage, { OFFCODE_PROTOCOL_VERSIONS: '3' });
      expect(
        await errorCode(v3only.activations.exchange(new SimulatedDevice(4).exchangeRequest(await fresh()))),
      ).toBe('ERR0047');
    });

    it('follows the state table for commit, block, unblock and remove, with a history row per change', async () => {
      const app = await createApp(server);
      const init = await server.activations.init({ userId: 'u', applicationId: app });
      const id = init.activationId;
      for (const m of ['commit', 'block', 'unblock'] as const) {
        expect(await errorCode(server.activations[m]({ activationId: id }))).toBe('ERR0008');
      }
      const device = new SimulatedDevice(3);
      device.complete(await server.activations.exchange(device.exchangeRequest(init.activationCode)));
      for (const m of ['block', 'unblock'] as const)
        expect(await errorCode(server.activations[m]({ activationId: id }))).toBe('ERR0008');
      await server.activations.commit({ activationId: id });
      expect(await errorCode(server.activations.commit({ activationId: id }))).toBe('ERR0008');
      expect(await server.activations.unblock({ activationId: id })).toEqual({
        activationId: id,
        activationStatus: 'ACTIVE',
      });
      expect(
        await server.activations.block({ activationId: id, reason: 'FRAUD', externalUserId: 'op' }),
      ).toEqual({
        activationId: id,
        activationStatus: 'BLOCKED',
        blockedReason: 'FRAUD',
      });
      expect(await server.activations.block({ activationId: id, reason: 'OTHER' })).toMatchObject({
        blockedReason: 'FRAUD',
      });
      expect(await errorCode(server.activations.commit({ activationId: id }))).toBe('ERR0008');
      expect(await errorCode(server.activations.exchange(device.exchangeRequest(init.activationCode)))).toBe(
        'ERR0008',
      );
      expect((await server.activations.status({ activationId: id })).blockedReason).toBe('FRAUD');
      expect(await server.activations.unblock({ activationId: id })).toEqual({
        activationId: id,
        activationStatus: 'ACTIVE',
      });
      expect((await server.activations.block({ activationId: id })).blockedReason).toBe('NOT_SPECIFIED');
      expect(await server.activations.remove({ activationId: id })).toEqual({
        activationId: id,
        removed: true,
      });
      expect(await server.activations.remove({ activationId: id })).toEqual({
        activationId: id,
        removed: true,
      });
      for (const m of ['commit', 'block', 'unblock'] as const)
        expect(await errorCode(server.activations[m]({ activationId: id }))).toBe('ERR0008');
      const row = (
        await opened.storage.query<Record<string, unknown>>(
          'SELECT * FROM oc_activation WHERE activation_id = $1',
          [id],
        )
      ).rows[0]!;
      expect(row.server_private_key).toBeNull();
      expect(row.activation_secret).toBeNull();
      const history = await server.activations.history({ activationId: id });
      expect(history.items.map((h) => `${h.activationStatus}:${h.eventReason ?? ''}`)).toEqual([
        'CREATED:',
        'PENDING_COMMIT:KEY_EXCHANGE',
        'ACTIVE:COMMIT',
        'BLOCKED:FRAUD',
        'ACTIVE:UNBLOCKED',
        'BLOCKED:NOT_SPECIFIED',
        'REMOVED:REMOVED',
      ]);
      expect(history.items[3]!.externalUserId).toBe('op');
      const unknown = '00000000-0000-4000-8000-000000000000';
      for (const m of ['commit', 'block', 'unblock', 'remove', 'history'] as const) {
        expect(await errorCode(server.activations[m]({ activationId: unknown }))).toBe('ERR0009');
      }
    });

    it('answers status for an unknown activation as REMOVED with null fields (PA behaviour)', async () => {
      const status = await server.activations.status({
        activationId: '00000000-0000-4000-8000-00000000000A',
      });
      expect(status).toMatchObject({
        activationId: '00000000-0000-4000-8000-00000000000a',
        activationStatus: 'REMOVED',
        userId: null,
        applicationId: null,
        applicationRoles: [],
        activationFlags: [],
      });
    });

    it('gives up after 10 activation id or code collisions (ERR0005 / ERR0006), writing nothing', async () => {
      const app = await createApp(server);
      const first = await server.activations.init({ userId: 'u', applicationId: app });
      const { server: sameId } = await makeServer(
        opened.storage,
        {},
        { hooks: { generateActivationId: () => first.activationId } },
      );
      expect(await errorCode(sameId.activations.init({ userId: 'u2', applicationId: app }))).toBe('ERR0005');
      const { server: sameCode } = await makeServer(
        opened.storage,
        {},
        { hooks: { generateActivationCode: () => first.activationCode } },
      );
      expect(await errorCode(sameCode.activations.init({ userId: 'u3', applicationId: app }))).toBe(
        'ERR0006',
      );
      const count = await opened.storage.query<{ n: unknown }>(
        `SELECT count(*) AS n FROM oc_activation a JOIN oc_application p ON p.id = a.application_id WHERE p.name = $1`,
        [app],
      );
      expect(Number(count.rows[0]!.n)).toBe(1);
    });

    it('activates simulated devices end to end for both protocols', async () => {
      const app = await createApp(server);
      for (const version of [3, 4] as const) {
        const device = await activateDevice(server, app, version);
        expect(
          (await server.activations.status({ activationId: device.activationId })).activationStatus,
        ).toBe('ACTIVE');
      }
    });
  });
});
