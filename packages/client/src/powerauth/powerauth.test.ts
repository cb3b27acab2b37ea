/**
 * The PowerAuth mechanism's refusals: input checked before any network call, server answers that do not
 * verify or decrypt stop the activation with nothing stored, status and remove failures leave the state
 * consistent (a signed request's counter value is consumed either way).
 */
import { encodeBase64, utf8Encode } from '@offcode/protocol';
import {
  AUTHORIZATION_HEADER,
  onlineSignatureData,
  parseAuthorizationHeader,
  verifyOnlineSignature,
} from '@offcode/protocol/pa3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exampleStateText } from '../../test/fixtures.js';
import { b64, fails, hex, TEST_SUITE } from '../../test/helpers.js';
import {
  activateInput,
  activationRandomness,
  CREATE,
  createStep,
  deviceClock,
  keystoreStep,
  queuedRandom,
  type ReplayStep,
  removeStep,
  replayServer,
  STEPS,
  statusStep,
  T,
} from '../../test/powerauth-transcript.js';
import { parseState } from '../state.js';
import { MemoryTokenStore } from '../stores/memory.js';
import { OffcodeToken } from '../token.js';

const STATUS3 = b64(STEPS['3_activationStatus'].challengeBase64);
const noNetwork = () => {
  throw new Error('the network must not be used');
};
const errorBody = (code: string) =>
  JSON.stringify({ status: 'ERROR', responseObject: { code, message: 'x' } });

function tokenFor(steps: ReplayStep[], random = [...activationRandomness(), STATUS3]) {
  const server = replayServer(steps);
  const store = new MemoryTokenStore();
  const token = new OffcodeToken({
    store,
    fetch: server.fetch,
    random: queuedRandom(random),
    crypto: 'noble',
    now: deviceClock(0),
  });
  return { token, store, server };
}

/** A token activated through the transcript (steps 1-3). */
async function activated(more: ReplayStep[], random: Uint8Array[] = [], enableBiometry = false) {
  const t = tokenFor(
    [keystoreStep(), createStep(), statusStep('3_activationStatus'), ...more],
    [...activationRandomness(), STATUS3, ...random],
  );
  await t.token.activate({ ...activateInput(), enableBiometry });
  return t;
}

const flip = (text: string, at: number) => {
  const c = text[at] === 'A' ? 'B' : 'A';
  return text.slice(0, at) + c + text.slice(at + 1);
};

describe('PowerAuth activate: input refused before any network call', () => {
  it.each([
    ['protocol 4', { protocol: 4 }, 'INVALID_INPUT', 'mechanism'],
    ['no master key', { masterPublicKey: undefined }, 'INVALID_INPUT', 'masterPublicKey'],
    [
      'application key of 15 bytes',
      { applicationKey: encodeBase64(new Uint8Array(15)) },
      'INVALID_INPUT',
      'applicationKey',
    ],
    ['application secret not Base64', { applicationSecret: 'secret!' }, 'INVALID_INPUT', 'applicationSecret'],
    ['no application secret', { applicationSecret: undefined }, 'INVALID_INPUT', 'applicationSecret'],
    ['unknown mechanism', { mechanism: 'sms' }, 'INVALID_INPUT', 'mechanism'],
    [
      'control character in the device',
      { device: { platform: 'And\u0000roid' } },
      'INVALID_INPUT',
      'platform',
    ],
    ['device not an object', { device: 'Pixel' }, 'INVALID_INPUT', 'device'],
    ['bad CRC', { activationCode: 'SCMEH-2GIOI-RSAED-AOXHB' }, 'INVALID_INPUT', 'activationCode'],
    [
      'code signature of another code',
      { activationCode: `AAAAA-AAAAA-AAAAA-AAAAA#${T.serverPreparation.qrCodeContent.split('#')[1]}` },
      'SIGNATURE_INVALID',
      'activationCode',
    ],
    [
      'code signature tampered',
      { activationCode: flip(T.serverPreparation.qrCodeContent, 40) },
      'SIGNATURE_INVALID',
      'activationCode',
    ],
    [
      'code signature not Base64',
      { activationCode: `${T.serverPreparation.activationCode}#***` },
      'SIGNATURE_INVALID',
      'activationCode',
    ],
    ['plain mechanism asked, no application name', { mechanism: 'plain' }, 'INVALID_INPUT', 'applicationId'],
    [
      'application name with a control character',
      { applicationId: 'a\nb' },
      'INVALID_INPUT',
      'applicationId',
    ],
    ['short PIN', { pin: '12' }, 'INVALID_INPUT', undefined],
  ])('%s', async (_name, patch, code, field) => {
    const token = new OffcodeToken({ store: new MemoryTokenStore(), fetch: noNetwork });
    const e = await fails(token.activate({ ...activateInput(), ...(patch as object) } as never), code);
    if (field !== undefined) expect(e.field).toBe(field);
    expect(e.message).not.toContain(T.application.applicationSecret);
  });
});

describe('PowerAuth activate: bad server answers store nothing', () => {
  const keystoreAnswer = (jwt: string) => JSON.stringify({ status: 'OK', responseObject: { jwt } });
  const recordedJwt = STEPS['1_keystoreCreate'].responseBody.match(/"jwt":"([^"]+)"/)![1]!;

  it.each([
    ['keystore JWT signature flipped', keystoreAnswer(flip(recordedJwt, recordedJwt.length - 5))],
    ['keystore JWT claims changed', keystoreAnswer(flip(recordedJwt, 60))],
    ['keystore JWT missing', JSON.stringify({ status: 'OK', responseObject: {} })],
  ])('%s → ACTIVATION_FAILED, activation/create never sent', async (_n, body) => {
    const { token, store, server } = tokenFor([{ ...keystoreStep(), answer: { status: 200, body } }]);
    await fails(token.activate(activateInput()), 'ACTIVATION_FAILED');
    expect(server.seen).toHaveLength(1);
    expect(await store.read()).toBeNull();
  });

  it('a keystore answer signed by another master key than the pinned one → ACTIVATION_FAILED', async () => {
    const { token, store, server } = tokenFor([keystoreStep()]);
    const input = {
      ...activateInput(),
      activationCode: T.serverPreparation.activationCode,
      masterPublicKey: T.secrets.serverKeyPair.publicKeyUncompressedBase64,
    };
    await fails(token.activate(input), 'ACTIVATION_FAILED');
    expect(server.seen).toHaveLength(1);
    expect(await store.read()).toBeNull();
  });

  it('an error envelope from keystore/create or activation/create → ACTIVATION_FAILED with the server code', async () => {
    const a = tokenFor([
      { ...keystoreStep(), answer: { status: 400, body: errorBody('ERR_TEMPORARY_KEY') } },
    ]);
    expect((await fails(a.token.activate(activateInput()), 'ACTIVATION_FAILED')).serverCode).toBe(
      'ERR_TEMPORARY_KEY',
    );
    const b = tokenFor([
      keystoreStep(),
      { ...createStep(), answer: { status: 400, body: errorBody('ERR_ACTIVATION') } },
    ]);
    expect((await fails(b.token.activate(activateInput()), 'ACTIVATION_FAILED')).serverCode).toBe(
      'ERR_ACTIVATION',
    );
    expect(await b.store.read()).toBeNull();
  });

  it.each([
    ['outer MAC flipped', (r: Record<string, unknown>) => ({ ...r, mac: flip(r.mac as string, 3) })],
    [
      'outer timestamp changed',
      (r: Record<string, unknown>) => ({ ...r, timestamp: (r.timestamp as number) + 1 }),
    ],
    ['outer nonce missing', (r: Record<string, unknown>) => ({ ...r, nonce: undefined })],
    ['not ECIES at all', () => ({ status: 'OK', responseObject: {} })],
  ])('activation/create answer: %s → ACTIVATION_FAILED, nothing stored', async (_n, change) => {
    const body = JSON.stringify(change(JSON.parse(CREATE.responseBody)));
    const { token, store } = tokenFor([keystoreStep(), { ...createStep(), answer: { status: 200, body } }]);
    await fails(token.activate(activateInput()), 'ACTIVATION_FAILED');
    expect(await store.read()).toBeNull();
  });

  it('arbitrary answers to both calls never store a token and fail with a client error (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.json(), fc.json(), fc.integer({ min: 200, max: 599 }), async (a, b, status) => {
        const { token, store } = tokenFor([
          { ...keystoreStep(), answer: { status, body: a } },
          { ...createStep(), answer: { status: 200, body: b } },
        ]);
        const e = await token.activate(activateInput()).then(
          () => null,
          (x: { code?: string }) => x,
        );
        expect(['ACTIVATION_FAILED', 'NETWORK_ERROR']).toContain(e?.code);
        expect(await store.read()).toBeNull();
      }),
      { numRuns: 60 },
    );
  });
});

describe('PowerAuth status and remove', () => {
  it('the server unreachable right after activation/create: the token is stored, PENDING_COMMIT, unchecked', async () => {
    const { token, store } = tokenFor([keystoreStep(), createStep()]);
    const status = await token.activate(activateInput());
    expect(status).toMatchObject({
      activationStatus: 'PENDING_COMMIT',
      statusCheckedAt: null,
      mechanism: 'powerauth',
    });
    expect(parseState((await store.read()) as string).activationId).toBe(T.secrets.activationId);
  });

  it('a blob that does not decrypt (unknown activation: random bytes) → NETWORK_ERROR, state unchanged', async () => {
    const step = statusStep('5_activationStatusAfterOfflineSignature');
    const response = JSON.parse(step.responseBody);
    response.responseObject.encryptedStatusBlob = encodeBase64(hex('5a'.repeat(32)));
    const { token, store } = await activated(
      [{ ...step, answer: { status: 200, body: JSON.stringify(response) } }],
      [b64(step.challengeBase64)],
    );
    const before = await store.read();
    await fails(token.status({ remote: true }), 'NETWORK_ERROR');
    expect(await store.read()).toBe(before);
  });

  it('a status answer for another activation → NETWORK_ERROR', async () => {
    const step = statusStep('5_activationStatusAfterOfflineSignature');
    const body = step.responseBody.replace(T.secrets.activationId, '00000000-0000-4000-8000-000000000000');
    const { token } = await activated(
      [{ ...step, answer: { status: 200, body } }],
      [b64(step.challengeBase64)],
    );
    await fails(token.status({ remote: true }), 'NETWORK_ERROR');
  });

  it('remove refused (wrong PIN) → REMOVE_FAILED; the counter value is consumed, the state kept', async () => {
    const nonce = b64(STEPS['6_activationRemove'].nonceBase64);
    const refused = {
      ...removeStep(),
      header: undefined,
      answer: { status: 401, body: errorBody('ERR_AUTHENTICATION') },
    };
    const { token, store } = await activated([refused], [nonce]);
    const e = await fails(token.remove({ pin: '9999' }), 'REMOVE_FAILED');
    expect(e.serverCode).toBe('ERR_AUTHENTICATION');
    expect(parseState((await store.read()) as string).counter).toBe(1);
  });

  it('remove with biometry signs possession_biometry, verifiable by the server', async () => {
    const nonce = b64(STEPS['6_activationRemove'].nonceBase64);
    const { token, server } = await activated([{ ...removeStep(), header: undefined }], [nonce], true);
    await token.remove({ biometry: true });
    const header = parseAuthorizationHeader(server.seen.at(-1)!.headers[AUTHORIZATION_HEADER.toLowerCase()]);
    expect(header.signatureType).toBe('possession_biometry');
    const d = T.secrets.derivedKeys;
    const match = verifyOnlineSignature(TEST_SUITE, {
      signatureType: 'possession_biometry',
      keys: { possession: hex(d.KEY_SIGNATURE_POSSESSION!), biometry: hex(d.KEY_SIGNATURE_BIOMETRY!) },
      ctrData: b64(T.secrets.ctrDataBase64),
      data: onlineSignatureData({
        method: 'POST',
        uriId: '/pa/activation/remove',
        nonce: header.nonce,
        body: utf8Encode('{}'),
        applicationSecret: T.application.applicationSecret,
      }),
      signature: header.signature,
      lookAhead: 20,
    });
    expect(match).toMatchObject({ match: true, position: 0 });
  });

  it('remove on a plain-exchange token → INVALID_INPUT, nothing sent, counter unchanged', async () => {
    const store = new MemoryTokenStore(exampleStateText(3));
    const token = new OffcodeToken({ store, fetch: noNetwork });
    await fails(token.remove({ pin: '1234' }), 'INVALID_INPUT');
    expect(await store.read()).toBe(exampleStateText(3));
  });
});
