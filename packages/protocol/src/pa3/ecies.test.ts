import { bytesToHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { b64, type EciesCase, hx, readActivationVector, SUITES } from '../../test/activation-vectors.js';
import { encodeBase64 } from '../base64.js';
import { ProtocolError } from '../errors.js';
import { deriveKeysV3, deriveMasterSecretV3 } from '../keys/v3.js';
import type { CryptoSuite } from '../suite.js';
import { aes128CbcEncrypt } from './aes-cbc.js';
import {
  decryptEciesRequest,
  decryptEciesResponse,
  deriveEciesEnvelope,
  type EciesEnvelope,
  type EciesParameters,
  type EciesRequest,
  eciesRequestToJson,
  eciesResponseToJson,
  encryptEciesRequest,
  encryptEciesResponse,
  MAX_ECIES_CIPHERTEXT,
  parseEciesRequest,
  parseEciesResponse,
} from './ecies.js';
import { buildEncryptionHeader, parseEncryptionHeader } from './header.js';
import { gsonStringify } from './json.js';
import { be64, joinWithLengths, kdfInternal } from './primitives.js';

const application = readActivationVector<{ cases: EciesCase[] }>('ecies-v33-application-scope.json').cases;
const activation = readActivationVector<{ cases: EciesCase[] }>('ecies-v33-activation-scope.json').cases;
const ALL = [...application, ...activation];

export function paramsOf(c: EciesCase): EciesParameters {
  const i = c.input;
  const base = {
    sharedInfo1: i.sharedInfo1 as EciesParameters['sharedInfo1'],
    applicationKey: i.applicationKey,
    applicationSecret: i.applicationSecret,
  };
  return i.scope === 'application'
    ? { ...base, scope: 'application' }
    : { ...base, scope: 'activation', activationId: i.activationId!, transportKey: hx(i.KEY_TRANSPORT!) };
}

function clientEncrypt(suite: CryptoSuite, c: EciesCase, params = paramsOf(c)) {
  return encryptEciesRequest(suite, params, {
    recipientPublicKey: b64(c.input.recipientPublicKeyAsGivenToSdkBase64),
    temporaryKeyId: c.input.temporaryKeyId,
    plaintext: hx(c.input.requestPlaintextHex),
    ephemeralPrivateKey: hx(c.input.ephemeralKeyPair.privateKeyHex),
    nonce: hx(c.input.requestNonceHex),
    timestamp: c.input.requestTimestamp,
  });
}

function serverDecrypt(suite: CryptoSuite, c: EciesCase, request: EciesRequest, params = paramsOf(c)) {
  return decryptEciesRequest(suite, params, {
    recipientPrivateKey: hx(c.input.recipientTemporaryKeyPair.privateKeyHex),
    request,
  });
}

function expectProtocolError(fn: () => unknown, field: string, code?: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as ProtocolError).field).toBe(field);
    if (code) expect((e as ProtocolError).code).toBe(code);
    return;
  }
  expect.unreachable(`expected a ProtocolError on ${field}`);
}

/** An independent MAC oracle (spec 4.2 step 7) to forge messages with chosen parts. */
function macOf(
  suite: CryptoSuite,
  env: EciesEnvelope,
  data: Uint8Array,
  nonce: Uint8Array,
  ts: number,
  e: Uint8Array,
) {
  const suffix = joinWithLengths(env.sharedInfo2Base, nonce, be64(ts), e, env.associatedData);
  return suite.engine.hmacSha256(env.macKey, new Uint8Array([...data, ...suffix]));
}

describe.each(SUITES)('ECIES 3.3 vectors on $name', (suite) => {
  it('has 24 + 24 cases (application scope incl. uncompressed recipient keys, 5 activation-scope endpoints)', () => {
    expect(application.length).toBe(24);
    expect(activation.length).toBe(24);
    expect(application.filter((c) => c.input.recipientPublicKeyGivenUncompressed).length).toBe(6);
    expect(new Set(activation.map((c) => c.input.sharedInfo1)).size).toBe(5);
  });

  it.each(ALL.map((c) => [c.id, c] as const))(
    '%s: client request, server decrypt and response, client decrypt',
    (_id, c) => {
      const { request, envelope } = clientEncrypt(suite, c);
      expect(bytesToHex(envelope.encKey)).toBe(c.derived.encKeyHex);
      expect(bytesToHex(envelope.macKey)).toBe(c.derived.macKeyHex);
      expect(bytesToHex(envelope.ivKey)).toBe(c.derived.ivKeyHex);
      expect(bytesToHex(envelope.sharedInfo2Base)).toBe(c.derived.sharedInfo2BaseHex);
      expect(bytesToHex(envelope.associatedData)).toBe(c.derived.associatedDataHex);
      expect(bytesToHex(kdfInternal(suite, envelope.ivKey, request.nonce))).toBe(c.derived.requestIvHex);
      expect(encodeBase64(request.ephemeralPublicKey)).toBe(c.output.ephemeralPublicKey);
      expect(encodeBase64(request.encryptedData)).toBe(c.output.encryptedData);
      expect(encodeBase64(request.mac)).toBe(c.output.mac);
      expect(gsonStringify(eciesRequestToJson(request))).toBe(c.output.requestJsonAndroidGson);

      const parsed = parseEciesRequest(c.output.requestJsonAndroidGson);
      const server = serverDecrypt(suite, c, parsed);
      expect(bytesToHex(server.plaintext)).toBe(c.input.requestPlaintextHex);
      const response = encryptEciesResponse(suite, server.envelope, {
        plaintext: hx(c.input.responsePlaintextHex),
        nonce: hx(c.input.responseNonceHex),
        timestamp: c.input.responseTimestamp,
      });
      expect(JSON.stringify(eciesResponseToJson(response))).toBe(c.output.response.responseJson);
      expect(bytesToHex(kdfInternal(suite, envelope.ivKey, response.nonce))).toBe(c.derived.responseIvHex);

      const received = parseEciesResponse(c.output.response.responseJson);
      expect(bytesToHex(decryptEciesResponse(suite, envelope, received))).toBe(c.input.responsePlaintextHex);
      const java = c.javaServerRandomResponse!;
      expect(decryptEciesResponse(suite, envelope, parseEciesResponse(java)).length).toBeGreaterThanOrEqual(
        0,
      );
    },
  );

  it.each(ALL.map((c) => [c.id, c] as const))('%s: headers (Android and iOS forms)', (_id, c) => {
    for (const [text, form] of [
      [c.output.httpHeaderAndroid, 'android'],
      [c.output.httpHeaderIos, 'ios'],
    ] as const) {
      const header = parseEncryptionHeader(text);
      expect(header.applicationKey).toBe(c.input.applicationKey);
      expect(header.activationId).toBe(c.input.activationId);
      expect(buildEncryptionHeader(header, { form })).toBe(text);
    }
  });

  it('activation scope: KEY_TRANSPORT of the vectors is the one derived from the activation keys', () => {
    for (const c of activation) {
      const a = c.activation!;
      const master = deriveMasterSecretV3(
        suite,
        hx(a.serverKeyPair.privateKeyHex),
        b64(a.deviceKeyPair.publicKeyBase64),
      );
      expect(bytesToHex(master)).toBe(a.derivedKeys.KEY_MASTER_SECRET);
      expect(bytesToHex(deriveKeysV3(suite, master).transport)).toBe(c.input.KEY_TRANSPORT);
    }
  });
});

describe.each(SUITES)('ECIES 3.3 negative cases on $name', (suite) => {
  const cases = [application[5]!, activation[5]!, application[3]! /* uncompressed recipient */];

  it.each(cases.map((c) => [c.id, c] as const))(
    '%s: every tampered request MAC byte is refused',
    (_id, c) => {
      const request = parseEciesRequest(c.output.requestJsonAndroidGson);
      for (let i = 0; i < 32; i++) {
        const mac = request.mac.slice();
        mac[i]! ^= 0x01;
        expectProtocolError(() => serverDecrypt(suite, c, { ...request, mac }), 'mac', 'INVALID_DATA');
      }
    },
  );

  it.each(cases.map((c) => [c.id, c] as const))(
    '%s: every tampered response MAC byte is refused',
    (_id, c) => {
      const { envelope } = clientEncrypt(suite, c);
      const response = parseEciesResponse(c.output.response.responseJson);
      for (let i = 0; i < 32; i++) {
        const mac = response.mac.slice();
        mac[i]! ^= 0x80;
        expectProtocolError(
          () => decryptEciesResponse(suite, envelope, { ...response, mac }),
          'mac',
          'INVALID_DATA',
        );
      }
    },
  );

  it.each(cases.map((c) => [c.id, c] as const))(
    '%s: timestamp, nonce, key id, ciphertext changes break the MAC',
    (_id, c) => {
      const request = parseEciesRequest(c.output.requestJsonAndroidGson);
      const nonce = request.nonce.slice();
      nonce[0]! ^= 1;
      const truncated = request.encryptedData.slice(0, request.encryptedData.length - 16);
      const variants: EciesRequest[] = [
        { ...request, timestamp: request.timestamp + 1 },
        { ...request, nonce },
        { ...request, temporaryKeyId: '00000000-0000-4000-8000-000000000000' },
      ];
      if (truncated.length > 0) variants.push({ ...request, encryptedData: truncated });
      for (const v of variants) expectProtocolError(() => serverDecrypt(suite, c, v), 'mac');
      // The response MAC is computed with the response's own timestamp, not the request's.
      const { envelope } = clientEncrypt(suite, c);
      const response = parseEciesResponse(c.output.response.responseJson);
      expectProtocolError(
        () => decryptEciesResponse(suite, envelope, { ...response, timestamp: request.timestamp }),
        'mac',
      );
      // ... and with an empty ephemeral-key slot: a MAC over the request's key is refused.
      const withKey = macOf(
        suite,
        envelope,
        response.encryptedData,
        response.nonce,
        response.timestamp,
        request.ephemeralPublicKey,
      );
      expectProtocolError(() => decryptEciesResponse(suite, envelope, { ...response, mac: withKey }), 'mac');
    },
  );

  it('wrong sharedInfo1 within the scope, wrong associated data, wrong secret break the MAC', () => {
    const app = application[7]!;
    const act = activation[7]!;
    const appRequest = parseEciesRequest(app.output.requestJsonAndroidGson);
    const actRequest = parseEciesRequest(act.output.requestJsonAndroidGson);
    const otherApp = {
      ...paramsOf(app),
      sharedInfo1:
        paramsOf(app).sharedInfo1 === '/pa/activation' ? '/pa/generic/application' : '/pa/activation',
    } as EciesParameters;
    expectProtocolError(() => serverDecrypt(suite, app, appRequest, otherApp), 'mac');
    expectProtocolError(
      () =>
        serverDecrypt(suite, app, appRequest, {
          ...paramsOf(app),
          applicationKey: 'AAAAAAAAAAAAAAAAAAAAAA==',
        }),
      'mac',
    );
    expectProtocolError(
      () =>
        serverDecrypt(suite, app, appRequest, {
          ...paramsOf(app),
          applicationSecret: 'AAAAAAAAAAAAAAAAAAAAAA==',
        }),
      'mac',
    );
    const actParams = paramsOf(act);
    const otherSi1 = actParams.sharedInfo1 === '/pa/vault/unlock' ? '/pa/token/create' : '/pa/vault/unlock';
    expectProtocolError(
      () => serverDecrypt(suite, act, actRequest, { ...actParams, sharedInfo1: otherSi1 }),
      'mac',
    );
    expectProtocolError(
      () =>
        serverDecrypt(suite, act, actRequest, {
          ...actParams,
          activationId: '11111111-1111-4111-8111-111111111111',
        }),
      'mac',
    );
    expectProtocolError(
      () => serverDecrypt(suite, act, actRequest, { ...actParams, transportKey: new Uint8Array(16) }),
      'mac',
    );
  });

  it('wrong scope: parameters that mix scopes are refused, and a request of the other scope does not verify', () => {
    const act = activation[2]!;
    const app = application[2]!;
    const request = parseEciesRequest(act.output.requestJsonAndroidGson);
    const asApplication: EciesParameters = {
      scope: 'application',
      sharedInfo1: '/pa/generic/application',
      applicationKey: act.input.applicationKey,
      applicationSecret: act.input.applicationSecret,
    };
    expectProtocolError(() => serverDecrypt(suite, act, request, asApplication), 'mac');
    expectProtocolError(
      () => serverDecrypt(suite, act, request, { ...paramsOf(act), scope: 'application' }),
      'scope',
      'INVALID_ARGUMENT',
    );
    expectProtocolError(
      () =>
        serverDecrypt(suite, app, parseEciesRequest(app.output.requestJsonAndroidGson), {
          ...paramsOf(app),
          scope: 'activation',
        }),
      'scope',
    );
    expectProtocolError(
      () => clientEncrypt(suite, app, { ...paramsOf(app), activationId: act.input.activationId }),
      'activationId',
    );
    expectProtocolError(
      () => clientEncrypt(suite, app, { ...paramsOf(app), sharedInfo1: '/pa/other' as '/pa/upgrade' }),
      'sharedInfo1',
    );
  });

  it('wrong version label: an envelope derived with "3.2" does not verify', () => {
    const c = application[9]!;
    const params = paramsOf(c);
    const ephemeral = b64(c.output.ephemeralPublicKey);
    const nonce = hx(c.input.requestNonceHex);
    const envelope = deriveEciesEnvelope(suite, {
      params,
      sharedSecret: hx(c.derived.ecdhSharedSecretHex),
      ephemeralPublicKey: ephemeral,
      temporaryKeyId: c.input.temporaryKeyId,
      requestNonce: nonce,
      version: '3.2',
    });
    const iv = kdfInternal(suite, envelope.ivKey, nonce);
    const encryptedData = aes128CbcEncrypt(suite, envelope.encKey, iv, hx(c.input.requestPlaintextHex), {
      padding: true,
    });
    const timestamp = c.input.requestTimestamp;
    const mac = macOf(suite, envelope, encryptedData, nonce, timestamp, ephemeral);
    const request = {
      temporaryKeyId: c.input.temporaryKeyId,
      ephemeralPublicKey: ephemeral,
      encryptedData,
      mac,
      nonce,
      timestamp,
    };
    expectProtocolError(() => serverDecrypt(suite, c, request), 'mac');
    expectProtocolError(
      () => parseEncryptionHeader('PowerAuth version="3.2" application_key="AAAAAAAAAAAAAAAAAAAAAA=="'),
      'version',
      'UNSUPPORTED',
    );
  });

  it('bad padding behind a valid MAC is a clear error, not a crash', () => {
    const c = application[4]!;
    const { envelope } = clientEncrypt(suite, c);
    const nonce = new Uint8Array(16).fill(9);
    const iv = kdfInternal(suite, envelope.ivKey, nonce);
    const block = new Uint8Array(16).fill(0x41); // last byte 0x41 is no PKCS#7 padding
    const encryptedData = aes128CbcEncrypt(suite, envelope.encKey, iv, block, { padding: false });
    const mac = macOf(suite, envelope, encryptedData, nonce, 5, new Uint8Array(0));
    expectProtocolError(
      () => decryptEciesResponse(suite, envelope, { encryptedData, mac, nonce, timestamp: 5 }),
      'encryptedData',
      'INVALID_DATA',
    );
  });

  it('wrong key lengths and a response reusing the request nonce are refused', () => {
    const c = activation[1]!;
    expectProtocolError(
      () => clientEncrypt(suite, c, { ...paramsOf(c), transportKey: new Uint8Array(15) }),
      'transportKey',
      'INVALID_LENGTH',
    );
    expectProtocolError(
      () =>
        encryptEciesRequest(suite, paramsOf(c), {
          recipientPublicKey: b64(c.input.recipientTemporaryKeyPair.publicKeyBase64).subarray(0, 32),
          temporaryKeyId: 'k',
          plaintext: new Uint8Array(1),
        }),
      'recipientPublicKey',
      'INVALID_KEY',
    );
    expectProtocolError(
      () =>
        encryptEciesRequest(suite, paramsOf(c), {
          recipientPublicKey: b64(c.input.recipientTemporaryKeyPair.publicKeyBase64),
          temporaryKeyId: 'k',
          plaintext: new Uint8Array(1),
          nonce: new Uint8Array(15),
        }),
      'nonce',
      'INVALID_LENGTH',
    );
    const request = parseEciesRequest(c.output.requestJsonAndroidGson);
    const offCurve = request.ephemeralPublicKey.slice();
    offCurve[0] = 0x05;
    expectProtocolError(
      () => serverDecrypt(suite, c, { ...request, ephemeralPublicKey: offCurve }),
      'ephemeralPublicKey',
      'INVALID_KEY',
    );
    const { envelope } = serverDecrypt(suite, c, request);
    expectProtocolError(
      () => encryptEciesResponse(suite, envelope, { plaintext: new Uint8Array(1), nonce: request.nonce }),
      'nonce',
    );
    const fresh = encryptEciesResponse(suite, envelope, { plaintext: new Uint8Array(3) });
    expect(bytesToHex(fresh.nonce)).not.toBe(bytesToHex(request.nonce));
    expect(bytesToHex(decryptEciesResponse(suite, clientEncrypt(suite, c).envelope, fresh))).toBe('000000');
  });
});

describe('ECIES size limits', () => {
  it('the largest plaintext round-trips (ciphertext = MAX_ECIES_CIPHERTEXT); one byte more is refused', () => {
    const suite = SUITES[0]!;
    const c = application[0]!;
    const params = paramsOf(c);
    const input = {
      recipientPublicKey: b64(c.input.recipientTemporaryKeyPair.publicKeyBase64),
      temporaryKeyId: c.input.temporaryKeyId,
      plaintext: new Uint8Array(MAX_ECIES_CIPHERTEXT - 16),
    };
    const { request } = encryptEciesRequest(suite, params, input);
    expect(request.encryptedData.length).toBe(MAX_ECIES_CIPHERTEXT);
    const parsed = parseEciesRequest(JSON.stringify(eciesRequestToJson(request)));
    expect(serverDecrypt(suite, c, parsed).plaintext.length).toBe(MAX_ECIES_CIPHERTEXT - 16);
    expectProtocolError(
      () =>
        encryptEciesRequest(suite, params, {
          ...input,
          plaintext: new Uint8Array(MAX_ECIES_CIPHERTEXT - 15),
        }),
      'plaintext',
      'INVALID_LENGTH',
    );
    const tooLong = {
      ...eciesRequestToJson(request),
      encryptedData: encodeBase64(new Uint8Array(MAX_ECIES_CIPHERTEXT + 16)),
    };
    expectProtocolError(() => parseEciesRequest(tooLong), 'encryptedData', 'INVALID_LENGTH');
  });
});

describe('ECIES request/response JSON parsers', () => {
  const c = application[1]!;
  const valid = JSON.parse(c.output.requestJsonAndroidGson) as Record<string, unknown>;

  it('accept what a JSON parser yields: Gson \\u003d escapes, iOS plain "=" in another member order', () => {
    const ios = `{"timestamp":${c.output.timestamp},"nonce":"${c.output.nonce}","mac":"${c.output.mac}","encryptedData":"${c.output.encryptedData}","ephemeralPublicKey":"${c.output.ephemeralPublicKey}","temporaryKeyId":"${c.input.temporaryKeyId}","extra":1}`;
    expect(parseEciesRequest(ios)).toEqual(parseEciesRequest(c.output.requestJsonAndroidGson));
    expect(parseEciesRequest(new TextEncoder().encode(ios))).toEqual(parseEciesRequest(valid));
  });

  it('name the member that is missing, mistyped or of the wrong length', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...valid, temporaryKeyId: undefined }, 'temporaryKeyId'],
      [{ ...valid, ephemeralPublicKey: encodeBase64(new Uint8Array(32)) }, 'ephemeralPublicKey'],
      [{ ...valid, mac: encodeBase64(new Uint8Array(31)) }, 'mac'],
      [{ ...valid, nonce: encodeBase64(new Uint8Array(17)) }, 'nonce'],
      [{ ...valid, nonce: undefined }, 'nonce'],
      [{ ...valid, encryptedData: encodeBase64(new Uint8Array(15)) }, 'encryptedData'],
      [{ ...valid, encryptedData: '' }, 'encryptedData'],
      [{ ...valid, encryptedData: 'not base64!' }, 'encryptedData'],
      [{ ...valid, timestamp: '1733817662356' }, 'timestamp'],
      [{ ...valid, timestamp: -1 }, 'timestamp'],
      [{ ...valid, timestamp: 1.5 }, 'timestamp'],
    ];
    for (const [obj, field] of cases) expectProtocolError(() => parseEciesRequest(obj), field);
    expectProtocolError(() => parseEciesRequest('{"a":'), 'request', 'INVALID_DATA');
    expectProtocolError(() => parseEciesRequest('[]'), 'request');
    expectProtocolError(
      () => parseEciesResponse({ encryptedData: valid.encryptedData, mac: valid.mac, nonce: valid.nonce }),
      'timestamp',
    );
  });

  it('throw nothing but ProtocolError on arbitrary input (property)', () => {
    const member = fc.oneof(fc.jsonValue(), fc.string(), fc.base64String({ maxLength: 96 }));
    const mutated = fc
      .record({ key: fc.constantFrom(...Object.keys(valid), 'x'), value: member })
      .map(({ key, value }) => ({ ...valid, [key]: value }));
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.string(), fc.uint8Array({ maxLength: 64 }), mutated),
        (input) => {
          for (const parse of [parseEciesRequest, parseEciesResponse]) {
            try {
              parse(input);
            } catch (e) {
              expect(e).toBeInstanceOf(ProtocolError);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
