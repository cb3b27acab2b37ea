/**
 * The recorded PowerAuth SDK 1.9.2 session (activation-transcript.json) replayed against the server, on
 * PGlite and PostgreSQL: the server receives the SDK's request bodies and headers byte for byte and, with the
 * recorded server randomness injected, answers byte for byte what the recorded client accepted
 * (activation/create both layers, both status blobs, remove); keystore/create answers the recorded claims
 * under a fresh ES256 signature the recorded master key verifies. The offline code the SDK computed in
 * between is verified by the ordinary V3 verification.
 */
import { buildRequestData, utf8Decode } from '@offcode/protocol';
import { verifyKeystoreResponseJwt } from '@offcode/protocol/pa3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivationStatus } from '../src/repo/rows.js';
import type { OffcodeServer } from '../src/server.js';
import {
  b64,
  hex,
  installTranscriptApplication,
  recordedKeyPair,
  transcript,
  utf8,
} from './enrollment-fixtures.js';
import { makeServer, TestClock } from './harness.js';
import { type OpenedStorage, storageFactories } from './storages.js';
import { SUITE } from './suite.js';

const { secrets, steps, serverPreparation } = transcript;
const create = steps['2_activationCreate'];
const statusSteps = [steps['3_activationStatus'], steps['5_activationStatusAfterOfflineSignature']];

const decodeJwtPart = (part: string): string =>
  utf8Decode(
    b64(
      part
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(part.length / 4) * 4, '='),
    ),
  );

describe.each(storageFactories)('the recorded SDK transcript against the server on $name', (factory) => {
  let opened: OpenedStorage;
  let server: OffcodeServer;
  const clock = new TestClock();
  const statusQueue = [...statusSteps];

  beforeAll(async () => {
    opened = await factory.open();
    clock.t = secrets.temporaryKeyPair.iat_ms;
    ({ server } = await makeServer(
      opened.storage,
      { OFFCODE_PAYLOAD_REGISTRY: 'off' },
      {
        clock,
        hooks: {
          generateActivationId: () => secrets.activationId,
          generateActivationCode: () => serverPreparation.activationCode,
          generateServerKeyPair: () => recordedKeyPair(secrets.serverKeyPair.privateKeyHex),
          generateCtrData: () => b64(secrets.ctrDataBase64),
          enrollment: {
            temporaryKey: () => ({
              keyId: secrets.temporaryKeyPair.keyId,
              keyPair: recordedKeyPair(secrets.temporaryKeyPair.privateKeyHex),
            }),
            eciesResponse: (sharedInfo1) => {
              const layer = sharedInfo1 === '/pa/activation' ? create.layer2Ecies : create.layer1Ecies;
              return { nonce: hex(layer.input.responseNonceHex), timestamp: layer.input.responseTimestamp };
            },
            statusBlob: () => {
              const step = statusQueue.shift()!;
              return { nonce: b64(step.serverBlob.nonceBase64), reserved: hex(step.serverBlob.reservedHex) };
            },
          },
        },
      },
    ));
    const application = await installTranscriptApplication(server, opened.storage);
    const init = await server.activations.init({ userId: 'transcript-user', applicationId: application });
    expect(init).toMatchObject({
      activationId: secrets.activationId,
      activationCode: serverPreparation.activationCode,
    });
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  it('replays keystore/create, activation/create, status, the offline code, status and remove', async () => {
    // 1. keystore/create: the recorded claims (header and payload byte for byte), signed with the master key.
    const ks = steps['1_keystoreCreate'];
    const answer = await server.enrollment.keystoreCreate({ body: utf8(ks.requestBody) });
    const [header, payload] = answer.responseObject.jwt.split('.') as [string, string, string];
    expect(decodeJwtPart(header)).toBe(ks.responseJwtHeaderJson);
    expect(decodeJwtPart(payload)).toBe(ks.responseJwtClaimsJson);
    expect(ks.responseJwt.startsWith(`${header}.${payload}.`)).toBe(true);
    const claims = verifyKeystoreResponseJwt(SUITE, answer.responseObject.jwt, {
      signerPublicKey: b64(transcript.application.masterServerPublicKeyUncompressedBase64),
      challenge: JSON.parse(ks.requestJwtPayloadJson).challenge,
      applicationKey: transcript.application.applicationKey,
    });
    expect(claims.keyId).toBe(secrets.temporaryKeyPair.keyId);

    // 2. activation/create: the SDK's body and Android header in, the recorded encrypted answer out.
    clock.t = create.layer1Ecies.input.requestTimestamp;
    const created = await server.enrollment.activationCreate({
      body: utf8(create.requestBody),
      headers: { encryption: create.requestHeaderXPowerAuthEncryptionAndroid },
    });
    expect(JSON.stringify(created)).toBe(create.responseBody);

    // 3. status: the recorded blob (ACTIVE, counter 0).
    const status1 = await server.enrollment.activationStatus({ body: utf8(statusSteps[0].requestBody) });
    expect(JSON.stringify(status1)).toBe(statusSteps[0].responseBody);

    // 4. the SDK's offline code, verified by the V3 offline verification (counter 0 → 1).
    const off = steps['4_offlineSignature'];
    const verified = await server.offline.verify(3, {
      activationId: secrets.activationId,
      data: buildRequestData({ nonce: off.nonceBase64, body: off.dataUtf8, uriId: off.uriId }),
      signature: off.signature,
    });
    expect(verified).toMatchObject({ signatureValid: true, activationStatus: 'ACTIVE' });

    // 5. status again: the recorded blob after one signature (ctrByte 1, the next CTR_DATA hash).
    const status2 = await server.enrollment.activationStatus({ body: utf8(statusSteps[1].requestBody) });
    expect(JSON.stringify(status2)).toBe(statusSteps[1].responseBody);

    // 6. remove, signed possession_knowledge over the body `{}`.
    const rm = steps['6_activationRemove'];
    const removed = await server.enrollment.activationRemove({
      body: hex(rm.bodyHex),
      headers: { authorization: rm.headerValue },
    });
    expect(JSON.stringify(removed)).toBe(rm.responseBody);

    const row = await opened.storage.query<Record<string, unknown>>(
      `SELECT activation_status, server_private_key, counter::text AS counter, encode(device_public_key, 'base64') AS device
       FROM oc_activation WHERE activation_id = $1`,
      [secrets.activationId],
    );
    expect(row.rows[0]).toMatchObject({
      activation_status: ActivationStatus.REMOVED,
      server_private_key: null,
      counter: '2',
    });
    const history = await server.activations.history({ activationId: secrets.activationId });
    expect(history.items.map((h) => [h.activationStatus, h.eventReason])).toEqual([
      ['CREATED', null],
      ['ACTIVE', 'KEY_EXCHANGE'],
      ['REMOVED', 'REMOVED_BY_DEVICE'],
    ]);
  });

  it('keeps the temporary private key sealed at rest (AES-GCM envelope, never the recorded scalar)', async () => {
    const r = await opened.storage.query<{ key_encryption: number; k: string }>(
      `SELECT key_encryption, encode(private_key, 'hex') AS k FROM oc_temporary_key WHERE key_id = $1`,
      [secrets.temporaryKeyPair.keyId],
    );
    expect(r.rows[0]!.key_encryption).toBe(1);
    expect(r.rows[0]!.k).not.toContain(secrets.temporaryKeyPair.privateKeyHex);
    expect(r.rows[0]!.k.startsWith('01')).toBe(true);
  });
});
