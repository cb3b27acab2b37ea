import { createOffcodeServer, loadConfigOrThrow, type OffcodeServer } from '@offcode/server';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offcodeRoutes } from '../src/index.js';
import {
  b64,
  enrollmentSnapshot,
  hex,
  installTranscriptApplication,
  recordedKeyPair,
  TEST_MASTER_KEY,
  TestClock,
  transcript,
} from './powerauth-fixtures.js';
import { openDb, PAIR } from './powerauth-http.js';

const { secrets, steps, serverPreparation } = transcript;
const create = steps['2_activationCreate'];
const statusSteps = [steps['3_activationStatus'], steps['5_activationStatusAfterOfflineSignature']];

async function post(
  base: string,
  path: string,
  body: Uint8Array | string,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : Buffer.from(body),
  });
  const text = await res.text();
  return { status: res.status, text, contentType: res.headers.get('content-type') };
}

describe.each(['pglite', 'postgresql'] as const)('/pa/v3 over HTTP on %s', (kind) => {
  let db: Awaited<ReturnType<typeof openDb>>;
  let server: OffcodeServer;
  let app: FastifyInstance;
  let base: string;
  const clock = new TestClock();
  const statusQueue = [...statusSteps];

  beforeAll(async () => {
    db = await openDb(kind);
    clock.t = secrets.temporaryKeyPair.iat_ms;
    server = await createOffcodeServer({
      config: loadConfigOrThrow({
        OFFCODE_MASTER_KEY: TEST_MASTER_KEY,
        OFFCODE_CRYPTO_BACKEND: 'wasm',
        OFFCODE_PAYLOAD_REGISTRY: 'off',
      }),
      storage: db.storage,
      clock: clock.now,
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
          eciesResponse: (sharedInfo1: string) => {
            const layer = sharedInfo1 === '/pa/activation' ? create.layer2Ecies : create.layer1Ecies;
            return { nonce: hex(layer.input.responseNonceHex), timestamp: layer.input.responseTimestamp };
          },
          statusBlob: () => {
            const step = statusQueue.shift()!;
            return { nonce: b64(step.serverBlob.nonceBase64), reserved: hex(step.serverBlob.reservedHex) };
          },
        },
      },
    } as Parameters<typeof createOffcodeServer>[0]);
    const application = await installTranscriptApplication(server, db.storage);
    await server.activations.init({ userId: 'transcript-user', applicationId: application });
    app = Fastify();
    // Integration credentials configured: the device-facing routes must not need them.
    await app.register(offcodeRoutes, { server, credentials: [PAIR] });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await db?.cleanup();
  });

  const snapshot = () => enrollmentSnapshot(db.storage, secrets.activationId);

  it('refuses bad input in the envelope and creates nothing (before the activation)', async () => {
    const before = await snapshot();
    const cases: [string, string | Uint8Array, Record<string, string>, number, string][] = [
      ['/pa/v3/keystore/create', '{not json', {}, 400, 'ERR_TEMPORARY_KEY'],
      ['/pa/v3/keystore/create', '', {}, 400, 'ERR_TEMPORARY_KEY'],
      ['/pa/v3/activation/create', create.requestBody, {}, 400, 'ERR_ENCRYPTION'],
      [
        '/pa/v3/activation/create',
        '{"requestObject":{}}',
        { 'x-powerauth-encryption': create.requestHeaderXPowerAuthEncryptionAndroid },
        400,
        'ERR_ENCRYPTION',
      ],
      ['/pa/v3/activation/status', '[]', {}, 400, 'ERR_ACTIVATION'],
      ['/pa/v3/activation/remove', '{}', {}, 401, 'ERR_AUTHENTICATION'],
    ];
    for (const [path, body, headers, status, code] of cases) {
      const r = await post(base, path, body, headers);
      expect(r.status, `${path} ${String(body)}`).toBe(status);
      expect(r.contentType).toMatch(/^application\/json/);
      const json = JSON.parse(r.text);
      expect(json.status).toBe('ERROR');
      expect(json.responseObject.code).toBe(code);
      expect(typeof json.responseObject.message).toBe('string');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('answers unknown paths and wrong methods below /pa/v3 in the envelope', async () => {
    const unknown = await fetch(`${base}/pa/v3/token/create`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    const wrong = await fetch(`${base}/pa/v3/activation/status`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('replays the recorded SDK session byte for byte over HTTP', async () => {
    const ks = steps['1_keystoreCreate'];
    const keystore = await post(base, '/pa/v3/keystore/create', ks.requestBody);
    expect(keystore.status).toBe(200);
    const jwt = JSON.parse(keystore.text).responseObject.jwt as string;
    expect(ks.responseJwt.startsWith(jwt.split('.').slice(0, 2).join('.'))).toBe(true);

    clock.t = create.layer1Ecies.input.requestTimestamp;
    const created = await post(base, '/pa/v3/activation/create', create.requestBody, {
      'x-powerauth-encryption': create.requestHeaderXPowerAuthEncryptionAndroid,
    });
    expect(created.status).toBe(200);
    expect(created.text).toBe(create.responseBody);

    // The same request again (the iOS header spelling): a replayed nonce, refused, nothing changes.
    const before = await snapshot();
    const replay = await post(base, '/pa/v3/activation/create', create.requestBody, {
      'x-powerauth-encryption':
        create.requestHeaderXPowerAuthEncryptionIos ?? create.requestHeaderXPowerAuthEncryptionAndroid,
    });
    expect(replay.status).toBe(400);
    expect(JSON.parse(replay.text)).toMatchObject({
      status: 'ERROR',
      responseObject: { code: expect.stringMatching(/^ERR_/) },
    });
    expect(await snapshot()).toEqual(before);

    const status1 = await post(base, '/pa/v3/activation/status', statusSteps[0].requestBody);
    expect(status1.status).toBe(200);
    expect(status1.text).toBe(statusSteps[0].responseBody);

    const off = steps['4_offlineSignature'];
    const { buildRequestData } = await import('@offcode/protocol');
    const verified = await server.offline.verify(3, {
      activationId: secrets.activationId,
      data: buildRequestData({ nonce: off.nonceBase64, body: off.dataUtf8, uriId: off.uriId }),
      signature: off.signature,
    });
    expect(verified).toMatchObject({ signatureValid: true });

    const status2 = await post(base, '/pa/v3/activation/status', statusSteps[1].requestBody);
    expect(status2.text).toBe(statusSteps[1].responseBody);

    const rm = steps['6_activationRemove'];
    // A tampered body under the recorded signature: 401, the activation stays.
    const beforeRemove = await snapshot();
    const tampered = await post(base, '/pa/v3/activation/remove', '{ }', {
      'x-powerauth-authorization': rm.headerValue,
    });
    expect(tampered.status).toBe(401);
    expect(JSON.parse(tampered.text).responseObject.code).toBe('ERR_AUTHENTICATION');
    const afterTamper = await snapshot();
    expect(afterTamper.activation?.activation_status).toBe(beforeRemove.activation?.activation_status);

    const removed = await post(base, '/pa/v3/activation/remove', hex(rm.bodyHex), {
      'x-powerauth-authorization': rm.headerValue,
    });
    expect(removed.status).toBe(200);
    expect(removed.text).toBe(rm.responseBody);
  });
});
