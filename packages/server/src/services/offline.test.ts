/**
 * Interop: devices simulated with @offcode/protocol + @offcode/crypto-wasm only (test/device.ts) receive
 * payloads from the server, check their signatures and compute codes; the server verifies them.
 */

import { createHmac } from 'node:crypto';
import {
  decodeBase64Strict,
  encodeBase64,
  type OfflinePayload,
  parseOfflinePayloadOrThrow,
  totp,
} from '@offcode/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedDevice } from '../../test/device.js';
import {
  activateDevice,
  createApp,
  errorCode,
  makeServer,
  paymentData,
  spyEngine,
  TEST_MASTER_KEY,
  TestClock,
} from '../../test/harness.js';
import { type OpenedStorage, storageFactories } from '../../test/storages.js';
import { SUITE } from '../../test/suite.js';
import type { OffcodeServer } from '../server.js';
import { type VerifyOutcome, verifyResponseFromOutcome } from './verify.js';

const SEED = 'LtxE0f0RWNx3hy7ISjUPWA==';

describe.each(storageFactories)('offline payloads and verification on $name', (factory) => {
  let opened: OpenedStorage;
  const clock = new TestClock();
  let server: OffcodeServer; // registry enforce (default)
  let off: OffcodeServer; // registry off (PowerAuth behaviour)
  let app: string;

  beforeAll(async () => {
    opened = await factory.open();
    ({ server } = await makeServer(opened.storage, {}, { clock }));
    ({ server: off } = await makeServer(opened.storage, { OFFCODE_PAYLOAD_REGISTRY: 'off' }, { clock }));
    app = await createApp(server);
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  /** Personalized payload → device reads it (signature checked) → payload object. */
  async function issue(
    s: OffcodeServer,
    device: SimulatedDevice,
    extra: Record<string, unknown> = {},
    flags = '',
  ): Promise<{ payload: OfflinePayload; offlineData: string; nonce: string; expiresAt: string | null }> {
    const created = await s.offline.createPersonalized(device.protocol, {
      activationId: device.activationId,
      data: paymentData(flags),
      ...extra,
    });
    return { ...created, payload: device.readPayload(created.offlineData) };
  }

  const verifyOutcome = (
    s: OffcodeServer,
    device: SimulatedDevice,
    payload: OfflinePayload,
    code: string,
    extra: Record<string, unknown> = {},
  ) => s.offline.verifyOutcome(device.protocol, device.verifyRequest(payload, code, extra));

  const counterOf = async (id: string) => (await server.activations.status({ activationId: id })).counter;

  describe.each([3, 4] as const)('protocol V%i', (version) => {
    it('issues personalized payloads the device verifies (key type 1 ECDSA / 2 KMAC) and accepts their codes once', async () => {
      const device = await activateDevice(server, app, version);
      const { payload, nonce, expiresAt } = await issue(server, device);
      expect(payload.keyType).toBe(version === 3 ? 1 : 2);
      expect(payload.nonce).toBe(nonce);
      expect(decodeBase64Strict(nonce)).toHaveLength(16);
      expect(expiresAt).toBe(new Date(clock.t + 300_000).toISOString());
      const code = device.computeCode(payload);
      const ok = await server.offline.verify(version, device.verifyRequest(payload, code));
      const valid =
        version === 3
          ? (ok as { signatureValid: boolean }).signatureValid
          : (ok as { authenticationValid: boolean }).authenticationValid;
      expect(valid).toBe(true);
      expect(ok).toMatchObject({
        activationStatus: 'ACTIVE',
        remainingAttempts: 5,
        blockedReason: null,
        protocolVersion: version,
      });
      expect(ok).toHaveProperty(
        version === 3 ? 'signatureType' : 'authenticationCodeType',
        'POSSESSION_KNOWLEDGE',
      );
      // Replay: the registry says consumed (not an attempt)…
      expect(await errorCode(verifyOutcome(server, device, payload, code))).toBe('OFF-0103');
      // …and without the registry the advanced counter makes it a plain failure.
      const replay = await verifyOutcome(off, device, payload, code);
      expect(replay).toMatchObject({ valid: false, remainingAttempts: 4 });
      expect(await counterOf(device.activationId)).toBe(1);
    });

    it('a tampered payload does not verify on the device', async () => {
      const device = await activateDevice(server, app, version);
      const { offlineData } = await issue(server, device);
      const tampered = offlineData.replace('Payment', 'Paymenu');
      expect(device.payloadVerifies(offlineData)).toBe(true);
      expect(device.payloadVerifies(tampered)).toBe(false);
      const other = await activateDevice(server, app, version);
      expect(other.payloadVerifies(offlineData)).toBe(false);
    });

    it.each([4, 5, 6, 7, 8])(
      'accepts possession_knowledge and possession_biometry codes of length %i',
      async (length) => {
        const device = await activateDevice(server, app, version);
        const first = await issue(server, device, {}, 'B');
        const code = device.computeCode(first.payload, { length });
        expect(code).toMatch(new RegExp(`^\\d{${length}}-\\d{${length}}$`));
        expect(
          await verifyOutcome(server, device, first.payload, code, { componentLength: length }),
        ).toMatchObject({
          valid: true,
          type: 'POSSESSION_KNOWLEDGE',
        });
        const second = await issue(server, device, {}, 'B');
        const bio = device.computeCode(second.payload, { length, factor: 'possession_biometry' });
        expect(
          await verifyOutcome(server, device, second.payload, bio, {
            componentLength: length,
            allowBiometry: true,
          }),
        ).toMatchObject({
          valid: true,
          type: 'POSSESSION_BIOMETRY',
          remainingAttempts: 5,
        });
        // A code of another length than componentLength never matches (a normal failed attempt).
        const third = await issue(server, device);
        const wrongLength = device.computeCode(third.payload, { length: length === 8 ? 4 : length + 1 });
        expect(
          await verifyOutcome(server, device, third.payload, wrongLength, { componentLength: length }),
        ).toMatchObject({
          valid: false,
          remainingAttempts: 4,
        });
      },
    );

    it('accepts biometry only when allowed by the request and enabled at the exchange', async () => {
      const device = await activateDevice(server, app, version);
      let p = await issue(server, device);
      expect(
        await verifyOutcome(
          server,
          device,
          p.payload,
          device.computeCode(p.payload, { factor: 'possession_biometry' }),
        ),
      ).toMatchObject({
        valid: false,
        type: 'POSSESSION_KNOWLEDGE',
      });
      p = await issue(server, device);
      // Alias `biometryAllowed` works like allowBiometry.
      expect(
        await verifyOutcome(
          server,
          device,
          p.payload,
          device.computeCode(p.payload, { factor: 'possession_biometry' }),
          { biometryAllowed: true },
        ),
      ).toMatchObject({ valid: true, type: 'POSSESSION_BIOMETRY' });
      const noBio = await activateDevice(server, app, version, { enableBiometry: false });
      p = await issue(server, noBio);
      expect(
        await verifyOutcome(
          server,
          noBio,
          p.payload,
          noBio.computeCode(p.payload, { factor: 'possession_biometry' }),
          { allowBiometry: true },
        ),
      ).toMatchObject({ valid: false });
      // Knowledge still works for it, with biometry requested (one type only, no error).
      p = await issue(server, noBio);
      expect(
        await verifyOutcome(server, noBio, p.payload, noBio.computeCode(p.payload), { allowBiometry: true }),
      ).toMatchObject({ valid: true });
    });

    it('accepts codes 0..19 positions ahead (the window), not 20', async () => {
      const device = await activateDevice(server, app, version);
      let expected = 0;
      for (let k = 0; k < 20; k++) {
        const { payload } = await issue(off, device);
        const code = device.computeCode(payload, { skip: k });
        const result = await verifyOutcome(off, device, payload, code);
        expect(result.valid, `position ${k}`).toBe(true);
        expect(result.matchedPosition).toBe(k);
        expected += k + 1;
      }
      expect(await counterOf(device.activationId)).toBe(expected);
      const { payload } = await issue(off, device);
      const tooFar = device.computeCode(payload, { skip: 20 });
      expect(await verifyOutcome(off, device, payload, tooFar)).toMatchObject({
        valid: false,
        remainingAttempts: 4,
      });
      expect(await counterOf(device.activationId)).toBe(expected);
      // The server did not move: the device, now 21 ahead, is out of the window for good until re-sync.
      const next = await issue(off, device);
      expect((await verifyOutcome(off, device, next.payload, device.computeCode(next.payload))).valid).toBe(
        false,
      );
    });

    it.each([0, 1, 2])(
      'proximity: stepCount %i accepts codes of payloads up to stepCount steps old',
      async (stepCount) => {
        const device = await activateDevice(server, app, version);
        for (let age = 0; age <= 3; age++) {
          const { payload } = await issue(server, device, { proximityCheck: { seed: SEED, stepLength: 30 } });
          const now = Math.floor(clock.t / 1000);
          expect(payload.totp).toBe(totp(SUITE, decodeBase64Strict(SEED), now, { step: 30, digits: 8 }));
          const code = device.computeCode(payload);
          clock.advance(age * 30_000);
          const result = await verifyOutcome(server, device, payload, code, {
            proximityCheck: { seed: SEED, stepLength: 30, stepCount },
          });
          expect(result.valid, `age ${age}, stepCount ${stepCount}`).toBe(age <= stepCount);
          if (!result.valid)
            await server.activations.unblock({ activationId: device.activationId }).catch(() => undefined);
        }
      },
    );

    it('proximity: a code without the TOTP, or checked without proximity, does not match', async () => {
      const device = await activateDevice(server, app, version);
      const { payload } = await issue(server, device, { proximityCheck: { seed: SEED, stepLength: 30 } });
      const code = device.computeCode(payload);
      expect((await verifyOutcome(server, device, payload, code)).valid).toBe(false);
      const other = await verifyOutcome(server, device, payload, code, {
        proximityCheck: { seed: 'AAECAwQFBgcICQoLDA0ODw==', stepLength: 30 },
      });
      expect(other.valid).toBe(false);
      expect(
        (
          await verifyOutcome(server, device, payload, code, {
            proximityCheck: { seed: SEED, stepLength: 30 },
          })
        ).valid,
      ).toBe(true);
    });

    it('rejects a code for other data or another nonce', async () => {
      const device = await activateDevice(server, app, version);
      const a = await issue(off, device);
      const b = await issue(off, device);
      const codeA = device.computeCode(a.payload);
      // Code of payload A checked against payload B's data (other operation and nonce).
      expect((await verifyOutcome(off, device, b.payload, codeA)).valid).toBe(false);
      // Same operation, other nonce.
      const req = device.verifyRequest(a.payload, codeA) as { data: string };
      const parts = req.data.split('&');
      parts[2] = b.nonce;
      expect((await off.offline.verifyOutcome(version, { ...req, data: parts.join('&') })).valid).toBe(false);
      // Same nonce, other body.
      parts[2] = a.nonce;
      parts[3] = encodeBase64(new TextEncoder().encode('other&A1*A1EUR'));
      expect((await off.offline.verifyOutcome(version, { ...req, data: parts.join('&') })).valid).toBe(false);
      // The untouched request still works.
      expect((await verifyOutcome(off, device, a.payload, codeA)).valid).toBe(true);
    });

    it('uses the caller nonce and refuses a live duplicate (OFF-0105); an expired one can be reused', async () => {
      const device = await activateDevice(server, app, version);
      const nonce = encodeBase64(crypto.getRandomValues(new Uint8Array(16)));
      const first = await issue(server, device, { nonce });
      expect(first.nonce).toBe(nonce);
      expect(first.payload.nonce).toBe(nonce);
      expect(
        await errorCode(
          server.offline.createPersonalized(version, {
            activationId: device.activationId,
            data: paymentData(),
            nonce,
          }),
        ),
      ).toBe('OFF-0105');
      clock.advance(300_000);
      expect((await issue(server, device, { nonce })).nonce).toBe(nonce);
      // Registry off: nonce duplicates are the caller's business.
      expect((await issue(off, device, { nonce })).nonce).toBe(nonce);
    });

    it('registry: rejects unknown, expired, consumed nonces and other data, without counting attempts', async () => {
      const device = await activateDevice(server, app, version);
      // Unknown nonce: a payload issued while the registry was off.
      const unknown = await issue(off, device);
      expect(
        await errorCode(verifyOutcome(server, device, unknown.payload, device.computeCode(unknown.payload))),
      ).toBe('OFF-0101');
      // Expired.
      const expired = await issue(server, device);
      const expiredCode = device.computeCode(expired.payload);
      clock.advance(300_000);
      expect(await errorCode(verifyOutcome(server, device, expired.payload, expiredCode))).toBe('OFF-0102');
      // Data mismatch: the registered body is another operation.
      const issued = await issue(server, device);
      const req = device.verifyRequest(issued.payload, device.computeCode(issued.payload)) as {
        data: string;
      };
      const parts = req.data.split('&');
      parts[3] = encodeBase64(new TextEncoder().encode('other&A1*A1EUR'));
      expect(await errorCode(server.offline.verifyOutcome(version, { ...req, data: parts.join('&') }))).toBe(
        'OFF-0104',
      );
      // Consumed.
      const good = await issue(server, device);
      const code = device.computeCode(good.payload);
      expect((await verifyOutcome(server, device, good.payload, code)).valid).toBe(true);
      expect(await errorCode(verifyOutcome(server, device, good.payload, code))).toBe('OFF-0103');
      // Another activation's payload is not issued for this one.
      const other = await activateDevice(server, app, version);
      const foreign = await issue(server, other);
      expect(
        await errorCode(verifyOutcome(server, device, foreign.payload, device.computeCode(foreign.payload))),
      ).toBe('OFF-0101');
      const status = await server.activations.status({ activationId: device.activationId });
      expect(status.failedAttempts).toBe(0);
      const audit = await server.audit.list({ activationId: device.activationId });
      expect(audit.items.map((i) => i.note)).toEqual([
        'payload_not_issued',
        'payload_consumed',
        version === 3 ? 'signature_ok' : 'authentication_ok',
        'payload_data_mismatch',
        'payload_expired',
        'payload_not_issued',
      ]);
    });

    it('registry record mode marks consumption but never rejects', async () => {
      const { server: record } = await makeServer(
        opened.storage,
        { OFFCODE_PAYLOAD_REGISTRY: 'record' },
        { clock },
      );
      const device = await activateDevice(record, app, version);
      const { payload } = await issue(record, device);
      const code = device.computeCode(payload);
      expect((await verifyOutcome(record, device, payload, code)).valid).toBe(true);
      expect((await verifyOutcome(record, device, payload, code)).valid).toBe(false);
      const rows = await opened.storage.query<{ consumed_at: Date | null }>(
        'SELECT consumed_at FROM oc_offline_payload WHERE nonce = $1',
        [payload.nonce],
      );
      expect(rows.rows[0]!.consumed_at).toBeInstanceOf(Date);
      const unknown = await issue(off, device);
      expect(
        (await verifyOutcome(record, device, unknown.payload, device.computeCode(unknown.payload))).valid,
      ).toBe(true);
    });

    it('non-personalized payloads (key type 0) verify with the master key and their codes are accepted', async () => {
      const device = await activateDevice(server, app, version);
      const created = await server.offline.createNonPersonalized(version, {
        applicationId: app,
        data: paymentData(),
      });
      const payload = device.readPayload(created.offlineData);
      expect(payload.keyType).toBe(0);
      expect(payload.totp).toBeNull();
      const detail = await server.applications.detail({ applicationId: app });
      expect(device.masterPublicKey).toEqual(
        decodeBase64Strict(detail.masterPublicKeys[version === 3 ? 'EC_P256' : 'EC_P384']!),
      );
      const otherCurve = decodeBase64Strict(detail.masterPublicKeys[version === 3 ? 'EC_P384' : 'EC_P256']!);
      expect(() => device.readPayload(created.offlineData, otherCurve)).toThrow();
      const code = device.computeCode(payload);
      expect((await verifyOutcome(server, device, payload, code)).valid).toBe(true);
      expect(await errorCode(verifyOutcome(server, device, payload, code))).toBe('OFF-0103');
    });

    it('counts failures, answers remainingAttempts and blockedReason on every outcome, blocks at the limit', async () => {
      const device = await activateDevice(server, app, version, { maxFailureCount: 3 });
      const spare = await issue(off, device);
      const outcomes: VerifyOutcome[] = [];
      for (let i = 0; i < 3; i++) {
        const { payload } = await issue(server, device);
        outcomes.push(
          await verifyOutcome(server, device, payload, device.computeCode(payload, { wrongPin: true })),
        );
      }
      expect(
        outcomes.map((o) => [o.valid, o.activationStatus, o.remainingAttempts, o.blockedReason]),
      ).toEqual([
        [false, 'ACTIVE', 2, null],
        [false, 'ACTIVE', 1, null],
        [false, 'BLOCKED', 0, 'MAX_FAILED_ATTEMPTS'],
      ]);
      expect(outcomes[2]!.blockExpiresAt).toBeNull();
      expect(outcomes.map((o) => [o.result, o.blocked])).toEqual([
        ['invalid', null],
        ['invalid', null],
        ['invalid', { reason: 'MAX_FAILED_ATTEMPTS', temporary: false }],
      ]);
      // After the block even a correct code is refused (audited as activation_invalid_state).
      const afterBlock = await verifyOutcome(off, device, spare.payload, device.computeCode(spare.payload));
      expect(afterBlock).toMatchObject({
        result: 'inactive',
        blocked: null,
        valid: false,
        activationStatus: 'BLOCKED',
        remainingAttempts: 0,
        blockedReason: 'MAX_FAILED_ATTEMPTS',
      });
      expect(
        await errorCode(
          server.offline.createPersonalized(version, {
            activationId: device.activationId,
            data: paymentData(),
          }),
        ),
      ).toBe('ERR0008');
      const status = await server.activations.status({ activationId: device.activationId });
      expect(status).toMatchObject({
        activationStatus: 'BLOCKED',
        failedAttempts: 3,
        blockedReason: 'MAX_FAILED_ATTEMPTS',
      });
      const history = await server.activations.history({ activationId: device.activationId });
      expect(history.items.at(-1)).toMatchObject({
        activationStatus: 'BLOCKED',
        eventReason: 'MAX_FAILED_ATTEMPTS',
      });
      // Unblock: a fresh start, then success resets the failures.
      await server.activations.unblock({ activationId: device.activationId });
      const p1 = await issue(server, device);
      expect(
        await verifyOutcome(server, device, p1.payload, device.computeCode(p1.payload, { wrongPin: true })),
      ).toMatchObject({ remainingAttempts: 2 });
      const p2 = await issue(server, device);
      expect(await verifyOutcome(server, device, p2.payload, device.computeCode(p2.payload))).toMatchObject({
        valid: true,
        remainingAttempts: 3,
      });
      // Removed: invalid with REMOVED, no attempts left.
      await server.activations.remove({ activationId: device.activationId });
      expect(await verifyOutcome(off, device, p2.payload, '12345678-12345678')).toMatchObject({
        valid: false,
        activationStatus: 'REMOVED',
        remainingAttempts: 0,
        userId: expect.any(String),
      });
    });

    it('temporary block: growing expiry, auto-unblock with one more try, success resets the count', async () => {
      const { server: temp } = await makeServer(
        opened.storage,
        {
          OFFCODE_TEMP_BLOCK_ENABLED: 'true',
          OFFCODE_TEMP_BLOCK_PERIOD_MS: '60000',
          OFFCODE_TEMP_BLOCK_MULTIPLIER: '2',
          OFFCODE_TEMP_BLOCK_MAX_PERIOD_MS: '200000',
          OFFCODE_PAYLOAD_REGISTRY: 'off',
        },
        { clock },
      );
      const device = await activateDevice(temp, app, version, { maxFailureCount: 2 });
      const fail = async () => {
        const { payload } = await issue(temp, device);
        return verifyOutcome(temp, device, payload, device.computeCode(payload, { wrongPin: true }));
      };
      await fail();
      const blocked = await fail();
      expect(blocked).toMatchObject({ activationStatus: 'BLOCKED', blockedReason: 'MAX_FAILED_ATTEMPTS' });
      expect(blocked.blockExpiresAt).toBe(new Date(clock.t + 60_000).toISOString());
      expect(blocked.blocked).toEqual({ reason: 'MAX_FAILED_ATTEMPTS', temporary: true });
      // Still blocked just before the expiry; verify/create refuse.
      clock.advance(59_999);
      expect((await temp.activations.status({ activationId: device.activationId })).activationStatus).toBe(
        'BLOCKED',
      );
      clock.advance(1);
      // Lazily unblocked by status: ACTIVE with exactly one more try.
      const status = await temp.activations.status({ activationId: device.activationId });
      expect(status).toMatchObject({
        activationStatus: 'ACTIVE',
        failedAttempts: 1,
        temporaryBlockCount: 1,
        blockExpiresAt: null,
      });
      const second = await fail();
      expect(second.activationStatus).toBe('BLOCKED');
      expect(second.blockExpiresAt).toBe(new Date(clock.t + 120_000).toISOString());
      clock.advance(120_000);
      // Auto-unblock inside verify itself; a third block is capped at the max period.
      const third = await fail();
      expect(third.blockExpiresAt).toBe(new Date(clock.t + 200_000).toISOString());
      clock.advance(200_000);
      // The sweep does it too.
      const sweep = await temp.maintenance.sweep();
      expect(sweep.unblocked).toBeGreaterThanOrEqual(1);
      const ok = await issue(temp, device);
      expect(await verifyOutcome(temp, device, ok.payload, device.computeCode(ok.payload))).toMatchObject({
        valid: true,
        remainingAttempts: 2,
      });
      expect((await temp.activations.status({ activationId: device.activationId })).temporaryBlockCount).toBe(
        0,
      );
      const reasons = (await temp.activations.history({ activationId: device.activationId })).items.map(
        (h) => h.eventReason,
      );
      expect(reasons.filter((r) => r === 'TEMPORARY_BLOCK_EXPIRED')).toHaveLength(3);
      expect(reasons.filter((r) => r === 'MAX_FAILED_ATTEMPTS')).toHaveLength(3);
    });

    it('audits every verification without the plaintext code', async () => {
      const device = await activateDevice(server, app, version);
      const { payload } = await issue(
        server,
        device,
        { proximityCheck: { seed: SEED, stepLength: 30 } },
        'B',
      );
      const bad = device.computeCode(payload, { wrongPin: true });
      const good = device.computeCode(payload, { factor: 'possession_biometry' });
      const proximity = { proximityCheck: { seed: SEED, stepLength: 30, stepCount: 1 }, allowBiometry: true };
      expect((await verifyOutcome(server, device, payload, bad, proximity)).valid).toBe(false);
      expect((await verifyOutcome(server, device, payload, good, proximity)).valid).toBe(true);
      const { items } = await server.audit.list({ activationId: device.activationId });
      expect(items).toHaveLength(2);
      const [ok, fail] = items as [(typeof items)[0], (typeof items)[0]];
      expect(ok).toMatchObject({
        valid: true,
        signatureType: 'POSSESSION_BIOMETRY',
        note: version === 3 ? 'signature_ok' : 'authentication_ok',
        activationCounter: 0,
        activationStatus: 'ACTIVE',
        signature: null,
        version,
        nonce: payload.nonce,
        additionalInfo: { BIOMETRY_ALLOWED: 'TRUE', PROXIMITY_CHECK: 'TRUE' },
      });
      expect(fail).toMatchObject({
        valid: false,
        signatureType: 'POSSESSION_KNOWLEDGE',
        note: version === 3 ? 'signature_does_not_match' : 'authentication_code_does_not_match',
      });
      // dataBase64 = the bytes verified: normalized data with the TOTP body and &offline.
      const verified = new TextDecoder().decode(decodeBase64Strict(ok.dataBase64));
      expect(verified.endsWith('&offline')).toBe(true);
      const body = new TextDecoder().decode(decodeBase64Strict(verified.split('&')[3]!));
      expect(body.endsWith(`&${payload.totp}`)).toBe(true);
      // codeDigest = HMAC(K_audit, activationId|code); the code itself appears nowhere.
      const kAudit = createHmac('sha256', Buffer.from(TEST_MASTER_KEY, 'base64'))
        .update('offcode/audit-code-digest')
        .digest();
      expect(ok.codeDigest).toBe(
        createHmac('sha256', kAudit).update(`${device.activationId}|${good}`).digest('base64'),
      );
      const raw = await opened.storage.query<Record<string, unknown>>(
        'SELECT * FROM oc_auth_audit WHERE activation_id = $1',
        [device.activationId],
      );
      const dump = JSON.stringify(raw.rows, (_k, v) =>
        v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
      );
      for (const code of [good, bad]) {
        expect(dump).not.toContain(code);
        expect(dump).not.toContain(code.replace('-', ''));
      }
      // Pagination and filters.
      expect(
        (await server.audit.list({ activationId: device.activationId, limit: 1 })).items.map((i) => i.id),
      ).toEqual([ok.id]);
      expect(
        (await server.audit.list({ activationId: device.activationId, beforeId: ok.id })).items.map(
          (i) => i.id,
        ),
      ).toEqual([fail.id]);
      expect((await server.audit.list({ userId: ok.userId, applicationId: app })).items).toHaveLength(2);
      expect((await server.audit.list({ userId: ok.userId, timestampTo: clock.t - 1 })).items).toHaveLength(
        0,
      );
    });

    it('answers an unknown activation as REMOVED without writing, or ERR0009 in compat mode', async () => {
      const device = await activateDevice(server, app, version);
      const { payload } = await issue(off, device);
      const request = {
        ...device.verifyRequest(payload, '12345678-12345678'),
        activationId: '00000000-0000-4000-8000-000000000001',
      };
      const before = await opened.storage.query<{ n: unknown }>('SELECT count(*) AS n FROM oc_auth_audit');
      const answer = await server.offline.verify(version, request);
      expect(answer).toMatchObject({
        activationStatus: 'REMOVED',
        remainingAttempts: 0,
        blockedReason: null,
        userId: null,
        applicationId: null,
        applicationRoles: [],
        activationFlags: [],
        protocolVersion: null,
        [version === 3 ? 'signatureValid' : 'authenticationValid']: false,
        [version === 3 ? 'signatureType' : 'authenticationCodeType']: 'POSSESSION_KNOWLEDGE',
      });
      const after = await opened.storage.query<{ n: unknown }>('SELECT count(*) AS n FROM oc_auth_audit');
      expect(Number(after.rows[0]!.n)).toBe(Number(before.rows[0]!.n));
      const { server: compat } = await makeServer(
        opened.storage,
        { OFFCODE_COMPAT_UNKNOWN_ACTIVATION: 'error' },
        { clock },
      );
      expect(await errorCode(compat.offline.verify(version, request))).toBe('ERR0009');
    });

    it('blocks an inconsistent row (failed attempts already at the limit) instead of verifying', async () => {
      const device = await activateDevice(server, app, version);
      const { payload } = await issue(off, device);
      const code = device.computeCode(payload);
      await opened.storage.query(
        'UPDATE oc_activation SET failed_attempts = max_failed_attempts WHERE activation_id = $1',
        [device.activationId],
      );
      const result = await verifyOutcome(off, device, payload, code);
      expect(result).toMatchObject({
        valid: false,
        result: 'inactive',
        activationStatus: 'BLOCKED',
        blockedReason: 'MAX_FAILED_ATTEMPTS',
        remainingAttempts: 0,
      });
      const audit = await server.audit.list({ activationId: device.activationId });
      expect(audit.items[0]).toMatchObject({
        note: 'activation_invalid_state_ctr_mismatch',
        valid: false,
        activationStatus: 'ACTIVE',
      });
      expect(audit.items[0]!.additionalInfo.BLOCKED_REASON).toBe('MAX_FAILED_ATTEMPTS');
      expect((await server.activations.status({ activationId: device.activationId })).counter).toBe(0);
    });

    it('maps the neutral outcome to the wire response without the metrics fields', async () => {
      const device = await activateDevice(server, app, version);
      const { payload } = await issue(off, device);
      const wire = await off.offline.verify(
        version,
        device.verifyRequest(payload, device.computeCode(payload)),
      );
      expect(wire).not.toHaveProperty('result');
      expect(wire).not.toHaveProperty('matchedPosition');
      expect(Object.keys(wire)).toHaveLength(12);
      const outcome = await verifyOutcome(off, device, payload, '12345678-12345678');
      expect(verifyResponseFromOutcome(version, outcome)).toMatchObject({
        [version === 3 ? 'signatureValid' : 'authenticationValid']: false,
        remainingAttempts: 4,
      });
    });

    it('refuses the other protocol version (ERR0047) and non-active activations at create (ERR0008)', async () => {
      const device = await activateDevice(server, app, version);
      const other = version === 3 ? 4 : 3;
      expect(
        await errorCode(
          server.offline.createPersonalized(other, {
            activationId: device.activationId,
            data: paymentData(),
          }),
        ),
      ).toBe('ERR0047');
      const { payload } = await issue(off, device);
      expect(
        await errorCode(
          server.offline.verify(other, {
            ...device.verifyRequest(payload, '12345678-12345678'),
            signature: '12345678-12345678',
            authenticationCode: '12345678-12345678',
          }),
        ),
      ).toBe('ERR0047');
      const init = await server.activations.init({ userId: 'u', applicationId: app });
      expect(
        await errorCode(
          server.offline.createPersonalized(version, {
            activationId: init.activationId,
            data: paymentData(),
          }),
        ),
      ).toBe('ERR0008');
      expect(
        await errorCode(
          server.offline.createPersonalized(version, {
            activationId: '00000000-0000-4000-8000-000000000002',
            data: paymentData(),
          }),
        ),
      ).toBe('ERR0009');
      // Compat: create on a blocked activation that has keys.
      const { server: compat } = await makeServer(
        opened.storage,
        { OFFCODE_COMPAT_CREATE_ANY_STATUS: 'true' },
        { clock },
      );
      await server.activations.block({ activationId: device.activationId });
      expect(
        await errorCode(
          server.offline.createPersonalized(version, {
            activationId: device.activationId,
            data: paymentData(),
          }),
        ),
      ).toBe('ERR0008');
      expect(
        await errorCode(
          compat.offline.createPersonalized(version, {
            activationId: device.activationId,
            data: paymentData(),
          }),
        ),
      ).toBe('OK');
      expect(
        await errorCode(
          compat.offline.createPersonalized(version, {
            activationId: init.activationId,
            data: paymentData(),
          }),
        ),
      ).toBe('ERR0008');
    });
  });

  describe.each([3, 4] as const)('engine use, V%i', (version) => {
    it('searches the whole window in ONE engine call with every TOTP candidate; biometry only when allowed and available', async () => {
      const { engine, calls } = spyEngine();
      const { server: spied } = await makeServer(
        opened.storage,
        { OFFCODE_PAYLOAD_REGISTRY: 'off', OFFCODE_LOOKAHEAD: '17' },
        { clock, crypto: engine },
      );
      const device = await activateDevice(spied, app, version);
      const { payload } = await issue(spied, device, { proximityCheck: { seed: SEED, stepLength: 30 } });
      const code = device.computeCode(payload, { wrongPin: true });
      await verifyOutcome(spied, device, payload, code, {
        proximityCheck: { seed: SEED, stepLength: 30, stepCount: 2 },
      });
      expect(calls).toHaveLength(1);
      const call = calls[0]!;
      expect(call).toMatchObject({ protocol: version, window: 17, code, length: 8 });
      expect(call.factors.map((f) => f.type)).toEqual(['possession_knowledge']);
      const candidates = call.data as Uint8Array[];
      expect(candidates).toHaveLength(3);
      const seed = decodeBase64Strict(SEED);
      const now = Math.floor(clock.t / 1000);
      candidates.forEach((c, i) => {
        const text = new TextDecoder().decode(c);
        expect(text.endsWith('&offline')).toBe(true);
        const body = new TextDecoder().decode(decodeBase64Strict(text.split('&')[3]!));
        expect(body.endsWith(`&${totp(SUITE, seed, now - i * 30, { step: 30, digits: 8 })}`)).toBe(true);
      });
      // Biometry allowed and enabled: knowledge first, then biometry.
      await verifyOutcome(spied, device, payload, code, { allowBiometry: true });
      expect(calls[1]!.factors.map((f) => f.type)).toEqual(['possession_knowledge', 'possession_biometry']);
      expect(calls[1]!.data).toHaveLength(1);
      // Biometry allowed but disabled at the exchange: one type, no error.
      const noBio = await activateDevice(spied, app, version, { enableBiometry: false });
      const p2 = await issue(spied, noBio);
      await verifyOutcome(spied, noBio, p2.payload, '12345678-12345678', { allowBiometry: true });
      expect(calls[2]!.factors.map((f) => f.type)).toEqual(['possession_knowledge']);
      // Blocked activation, registry rejection, unknown activation, bad input: no engine call at all.
      const { server: spiedEnforce } = await makeServer(opened.storage, {}, { clock, crypto: engine });
      expect(await errorCode(verifyOutcome(spiedEnforce, device, payload, code))).toBe('OFF-0101');
      await spied.activations.block({ activationId: device.activationId });
      await verifyOutcome(spied, device, payload, code);
      await spied.offline.verifyOutcome(version, {
        ...device.verifyRequest(payload, code),
        activationId: '00000000-0000-4000-8000-000000000003',
      });
      await errorCode(verifyOutcome(spied, device, payload, '12-34'));
      expect(calls).toHaveLength(3);
    });

    it('activation keys copied into another activation row do not decrypt (ERR0022)', async () => {
      const a = await activateDevice(server, app, version);
      const b = await activateDevice(server, app, version);
      // Every sealed key column of the row (V3: server private key and KEY_MASTER_SECRET).
      const columns = version === 3 ? ['server_private_key', 'activation_secret'] : ['activation_secret'];
      const sets = columns.map((c) => `${c} = (SELECT ${c} FROM oc_activation WHERE activation_id = $1)`);
      await opened.storage.query(`UPDATE oc_activation SET ${sets.join(', ')} WHERE activation_id = $2`, [
        a.activationId,
        b.activationId,
      ]);
      expect(
        await errorCode(
          server.offline.createPersonalized(version, { activationId: b.activationId, data: paymentData() }),
        ),
      ).toBe('ERR0022');
      const { payload } = await issue(off, a);
      expect(
        await errorCode(
          off.offline.verifyOutcome(version, {
            ...a.verifyRequest(payload, '12345678-12345678'),
            activationId: b.activationId,
          }),
        ),
      ).toBe('ERR0022');
      // The failed verification changed nothing (rolled back).
      expect((await server.activations.status({ activationId: b.activationId })).failedAttempts).toBe(0);
    });

    // Registered for V3 only (a skipped V4 twin would count as a skipped test).
    if (version === 3)
      it('V3: the sealed KEY_MASTER_SECRET is what verifies; a row without it (older exchange) derives it by ECDH', async () => {
        const a = await activateDevice(server, app, version);
        const b = await activateDevice(server, app, version);
        // Only KEY_MASTER_SECRET copied: bound to its row (ERR0022), the server private key is not used.
        await opened.storage.query(
          'UPDATE oc_activation SET activation_secret = (SELECT activation_secret FROM oc_activation WHERE activation_id = $1) WHERE activation_id = $2',
          [a.activationId, b.activationId],
        );
        const first = await issue(off, b);
        expect(await errorCode(verifyOutcome(off, b, first.payload, b.computeCode(first.payload)))).toBe(
          'ERR0022',
        );
        // NULL (a row exchanged before the column was written): ECDH fallback, same keys, code accepted once.
        await opened.storage.query(
          'UPDATE oc_activation SET activation_secret = NULL WHERE activation_id = $1',
          [b.activationId],
        );
        const { payload } = await issue(off, b);
        const code = b.computeCode(payload);
        expect(await verifyOutcome(off, b, payload, code)).toMatchObject({ valid: true });
        expect(await verifyOutcome(off, b, payload, code)).toMatchObject({ valid: false });
        // 2: the device's refused first code moved its own counter, the accepted one is the next.
        expect(await counterOf(b.activationId)).toBe(2);
      });
  });

  it('temporary block: permanent after OFFCODE_TEMP_BLOCK_MAX_BLOCKS; an operator block makes a temporary block permanent', async () => {
    const { server: temp } = await makeServer(
      opened.storage,
      {
        OFFCODE_TEMP_BLOCK_ENABLED: 'true',
        OFFCODE_TEMP_BLOCK_PERIOD_MS: '60000',
        OFFCODE_TEMP_BLOCK_MAX_BLOCKS: '1',
        OFFCODE_PAYLOAD_REGISTRY: 'off',
      },
      { clock },
    );
    const device = await activateDevice(temp, app, 3, { maxFailureCount: 1 });
    const fail = async () => {
      const { payload } = await issue(temp, device);
      return verifyOutcome(temp, device, payload, device.computeCode(payload, { wrongPin: true }));
    };
    expect((await fail()).blocked).toEqual({ reason: 'MAX_FAILED_ATTEMPTS', temporary: true });
    clock.advance(60_000);
    const second = await fail();
    expect(second).toMatchObject({
      activationStatus: 'BLOCKED',
      blockExpiresAt: null,
      blocked: { reason: 'MAX_FAILED_ATTEMPTS', temporary: false },
    });
    clock.advance(86_400_000);
    expect((await temp.activations.status({ activationId: device.activationId })).activationStatus).toBe(
      'BLOCKED',
    );
    // Operator block during a temporary block: it no longer expires.
    await temp.activations.unblock({ activationId: device.activationId });
    expect((await fail()).blockExpiresAt).not.toBeNull();
    expect(
      await temp.activations.block({ activationId: device.activationId, reason: 'FRAUD' }),
    ).toMatchObject({ blockedReason: 'FRAUD' });
    clock.advance(86_400_000);
    expect(await temp.activations.status({ activationId: device.activationId })).toMatchObject({
      activationStatus: 'BLOCKED',
      blockedReason: 'FRAUD',
      blockExpiresAt: null,
    });
  });

  it('keeps payloads that are not five-line blocks opaque (no body hash) and purges expired registry rows', async () => {
    const device = await activateDevice(server, app, 3);
    const created = await server.offline.createPersonalized(3, {
      activationId: device.activationId,
      data: 'just one line',
    });
    const lines = created.offlineData.split('\n');
    expect(lines[0]).toBe('just one line');
    const row = await opened.storage.query<{ body_sha256: unknown }>(
      'SELECT body_sha256 FROM oc_offline_payload WHERE nonce = $1',
      [created.nonce],
    );
    expect(row.rows[0]!.body_sha256).toBeNull();
    clock.advance(300_000 + 86_400_000 + 1);
    const { purgedPayloads } = await server.maintenance.sweep();
    expect(purgedPayloads).toBeGreaterThanOrEqual(1);
    expect(
      (await opened.storage.query('SELECT 1 FROM oc_offline_payload WHERE nonce = $1', [created.nonce]))
        .rowCount,
    ).toBe(0);
  });

  it('reads the QR text exactly as composed: data, TOTP line, nonce, key type and signature', async () => {
    const device = await activateDevice(server, app, 4);
    const data = paymentData('B');
    const created = await server.offline.createPersonalized(4, {
      activationId: device.activationId,
      data,
      proximityCheck: { seed: SEED, stepLength: 60 },
    });
    const t = totp(SUITE, decodeBase64Strict(SEED), Math.floor(clock.t / 1000), { step: 60, digits: 8 });
    expect(created.offlineData.startsWith(`${data}\n${t}\n${created.nonce}\n2`)).toBe(true);
    const parsed = parseOfflinePayloadOrThrow(created.offlineData);
    expect(parsed.totp).toBe(t);
    expect(parsed.flags.biometricsAllowed).toBe(true);
  });
});
