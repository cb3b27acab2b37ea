/**
 * Replays the crypto of both sides of `activation-transcript.json`, a real SDK 1.9.2 session: the server
 * side decrypts the recorded requests with the recorded server keys and reproduces the recorded responses;
 * the device side reproduces the recorded requests from the recorded randomness and accepts the responses.
 */

import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  b64,
  type EciesCase,
  hx,
  readActivationVector,
  type StatusStep,
  SUITES,
  type Transcript,
} from '../../test/activation-vectors.js';
import { encodeBase64, utf8Decode, utf8Encode } from '../base64.js';
import { compressPublicKey } from '../keys/ec.js';
import { deriveKeysV3, deriveMasterSecretV3 } from '../keys/v3.js';
import { buildRequestData, offlineDataBytes } from '../normalized-data.js';
import type { CryptoSuite } from '../suite.js';
import {
  decryptEciesRequest,
  decryptEciesResponse,
  type EciesParameters,
  eciesRequestToJson,
  eciesResponseToJson,
  encryptEciesRequest,
  encryptEciesResponse,
  parseEciesRequest,
  parseEciesResponse,
} from './ecies.js';
import { activationFingerprint } from './fingerprint.js';
import { parseEncryptionHeader } from './header.js';
import { gsonStringify } from './json.js';
import {
  createKeystoreRequestJwt,
  createKeystoreResponseJwt,
  keystoreRequestHmacKey,
  parseKeystoreRequestJwt,
  verifyKeystoreRequestJwt,
  verifyKeystoreResponseJwt,
} from './jwt.js';
import {
  buildAuthorizationHeader,
  computeOnlineSignature,
  onlineSignatureData,
  parseAuthorizationHeader,
  verifyOnlineSignature,
} from './online-signature.js';
import {
  buildStatusBlob,
  decryptStatusBlob,
  encryptStatusBlob,
  hashCounterDistance,
  statusBlobCtrDataHash,
  statusBlobIv,
} from './status-blob.js';

const t = readActivationVector<{ transcript: Transcript }>('activation-transcript.json').transcript;
const { application: app, secrets, steps } = t;
const create = steps['2_activationCreate'];

function params(sharedInfo1: '/pa/generic/application' | '/pa/activation'): EciesParameters {
  return {
    scope: 'application',
    sharedInfo1,
    applicationKey: app.applicationKey,
    applicationSecret: app.applicationSecret,
  };
}

function clientLayer(suite: CryptoSuite, layer: EciesCase, plaintext: string) {
  return encryptEciesRequest(suite, params(layer.input.sharedInfo1 as '/pa/activation'), {
    recipientPublicKey: b64(layer.input.recipientPublicKeyAsGivenToSdkBase64),
    temporaryKeyId: layer.input.temporaryKeyId,
    plaintext: utf8Encode(plaintext),
    ephemeralPrivateKey: hx(layer.input.ephemeralKeyPair.privateKeyHex),
    nonce: hx(layer.input.requestNonceHex),
    timestamp: layer.input.requestTimestamp,
  });
}

function transportKey(suite: CryptoSuite): Uint8Array {
  const master = deriveMasterSecretV3(
    suite,
    hx(secrets.serverKeyPair.privateKeyHex),
    b64(secrets.deviceKeyPair.publicKeyBase64),
  );
  return deriveKeysV3(suite, master).transport;
}

function replayStatus(suite: CryptoSuite, step: StatusStep, clientCtrData: Uint8Array) {
  const request = JSON.parse(step.requestBody).requestObject as { activationId: string; challenge: string };
  expect(
    gsonStringify({ requestObject: { activationId: secrets.activationId, challenge: step.challengeBase64 } }),
  ).toBe(step.requestBody);
  const keys = {
    transportKey: transportKey(suite),
    challenge: b64(request.challenge),
    nonce: b64(step.serverBlob.nonceBase64),
  };
  const ctrDataHash = statusBlobCtrDataHash(
    suite,
    keys.transportKey,
    b64(step.serverBlob.serverCtrDataBase64),
  );
  expect(bytesToHex(ctrDataHash)).toBe(step.serverBlob.ctrDataHashHex);
  expect(bytesToHex(statusBlobIv(suite, keys))).toBe(step.serverBlob.statusIvHex);
  const d = step.sdkDecoded;
  const plaintext = buildStatusBlob({
    status: 'ACTIVE',
    currentVersion: d.currentVersion,
    upgradeVersion: d.upgradeVersion,
    reserved: hx(step.serverBlob.reservedHex),
    ctrByte: step.serverBlob.ctrByte,
    failedAttempts: d.failCount,
    maxFailedAttempts: d.maxFailCount,
    ctrLookAhead: d.lookAheadCount,
    ctrDataHash,
  });
  expect(bytesToHex(plaintext)).toBe(step.serverBlob.statusBlobPlaintextHex);
  const encryptedStatusBlob = encryptStatusBlob(suite, { ...keys, plaintext });
  const body = {
    status: 'OK',
    responseObject: {
      activationId: request.activationId,
      encryptedStatusBlob: encodeBase64(encryptedStatusBlob),
      nonce: encodeBase64(keys.nonce),
      customObject: null,
    },
  };
  expect(JSON.stringify(body)).toBe(step.responseBody);
  // Device: decrypt what it received, then find the counter distance (Counter_OK = 0 steps).
  const received = JSON.parse(step.responseBody).responseObject as {
    encryptedStatusBlob: string;
    nonce: string;
  };
  const fields = decryptStatusBlob(suite, {
    ...keys,
    nonce: b64(received.nonce),
    encryptedStatusBlob: b64(received.encryptedStatusBlob),
  });
  expect(fields.status).toBe('ACTIVE');
  expect(fields.ctrByte).toBe(d.ctrByte);
  const distance = hashCounterDistance(suite, {
    transportKey: keys.transportKey,
    ctrData: clientCtrData,
    ctrDataHash: fields.ctrDataHash,
    lookAhead: fields.ctrLookAhead,
  });
  expect(distance).toBe(0);
}

describe.each(SUITES)('activation transcript on $name', (suite) => {
  it('1. keystore/create: request JWT byte-identical and verified; response JWT verified by the device', () => {
    const step = steps['1_keystoreCreate'];
    const jwt = JSON.parse(step.requestBody).requestObject.jwt as string;
    const parsed = parseKeystoreRequestJwt(jwt);
    expect(parsed.scope).toBe('application');
    expect(
      verifyKeystoreRequestJwt(
        suite,
        parsed,
        keystoreRequestHmacKey(suite, { applicationSecret: app.applicationSecret }),
      ),
    ).toBe(true);
    const challenge = parsed.claims.challenge;
    expect(
      createKeystoreRequestJwt(suite, {
        applicationKey: app.applicationKey,
        applicationSecret: app.applicationSecret,
        challenge,
      }),
    ).toBe(step.requestJwt);
    expect(gsonStringify({ requestObject: { jwt: step.requestJwt } })).toBe(step.requestBody);

    const expected = {
      signerPublicKey: b64(app.sessionSetupMasterServerPublicKey),
      challenge,
      applicationKey: app.applicationKey,
    };
    const responseJwt = JSON.parse(step.responseBody).responseObject.jwt as string;
    const claims = verifyKeystoreResponseJwt(suite, responseJwt, expected);
    const temp = secrets.temporaryKeyPair;
    expect(claims).toEqual({
      keyId: temp.keyId,
      applicationKey: app.applicationKey,
      challenge,
      publicKey: b64(temp.publicKeyUncompressedBase64),
      issuedAtMs: temp.iat_ms,
      expiresAtMs: temp.exp_ms,
    });
    const ours = createKeystoreResponseJwt(suite, {
      signingPrivateKey: hx(app.masterServerKeyPair.privateKeyHex),
      claims,
    });
    expect(ours.split('.').slice(0, 2).join('.')).toBe(step.responseJwt.split('.').slice(0, 2).join('.'));
    expect(verifyKeystoreResponseJwt(suite, ours, expected)).toEqual(claims);
  });

  it('2. activation/create, server side: decrypt both layers, reproduce both responses byte for byte', () => {
    const header = parseEncryptionHeader(create.requestHeaderXPowerAuthEncryptionAndroid);
    expect(header).toEqual({ version: '3.3', applicationKey: app.applicationKey });
    const temporaryPrivateKey = hx(secrets.temporaryKeyPair.privateKeyHex);
    const outer = decryptEciesRequest(suite, params('/pa/generic/application'), {
      recipientPrivateKey: temporaryPrivateKey,
      request: parseEciesRequest(create.requestBody),
    });
    expect(utf8Decode(outer.plaintext)).toBe(create.layer1RequestJson);
    const layer1 = JSON.parse(utf8Decode(outer.plaintext)) as {
      type: string;
      identityAttributes: { code: string };
      activationData: unknown;
    };
    expect(layer1.type).toBe('CODE');
    expect(layer1.identityAttributes.code).toBe(t.serverPreparation.activationCode);
    const inner = decryptEciesRequest(suite, params('/pa/activation'), {
      recipientPrivateKey: temporaryPrivateKey,
      request: parseEciesRequest(layer1.activationData),
    });
    expect(utf8Decode(inner.plaintext)).toBe(create.layer2RequestJson);
    expect(JSON.parse(create.layer2RequestJson).devicePublicKey).toBe(secrets.deviceKeyPair.publicKeyBase64);

    const innerResponse = encryptEciesResponse(suite, inner.envelope, {
      plaintext: utf8Encode(create.layer2ResponseJson),
      nonce: hx(create.layer2Ecies.input.responseNonceHex),
      timestamp: create.layer2Ecies.input.responseTimestamp,
    });
    const layer1Response = JSON.parse(create.layer1ResponseJson) as { activationData: unknown };
    expect(JSON.stringify(eciesResponseToJson(innerResponse))).toBe(
      JSON.stringify(layer1Response.activationData),
    );
    const outerResponse = encryptEciesResponse(suite, outer.envelope, {
      plaintext: utf8Encode(create.layer1ResponseJson),
      nonce: hx(create.layer1Ecies.input.responseNonceHex),
      timestamp: create.layer1Ecies.input.responseTimestamp,
    });
    expect(JSON.stringify(eciesResponseToJson(outerResponse))).toBe(create.responseBody);
  });

  it('2. activation/create, device side: reproduce both request layers, accept the response, same keys and fingerprint', () => {
    const inner = clientLayer(suite, create.layer2Ecies, create.layer2RequestJson);
    expect(gsonStringify(eciesRequestToJson(inner.request))).toBe(
      create.layer2Ecies.output.requestJsonAndroidGson,
    );
    const layer1Json = gsonStringify({
      type: 'CODE',
      identityAttributes: { code: t.serverPreparation.activationCode },
      activationData: eciesRequestToJson(inner.request),
    });
    expect(layer1Json).toBe(create.layer1RequestJson);
    const outer = clientLayer(suite, create.layer1Ecies, layer1Json);
    expect(gsonStringify(eciesRequestToJson(outer.request))).toBe(create.requestBody);

    const layer1 = utf8Decode(
      decryptEciesResponse(suite, outer.envelope, parseEciesResponse(create.responseBody)),
    );
    expect(layer1).toBe(create.layer1ResponseJson);
    const layer2 = utf8Decode(
      decryptEciesResponse(suite, inner.envelope, parseEciesResponse(JSON.parse(layer1).activationData)),
    );
    expect(layer2).toBe(create.layer2ResponseJson);
    const activation = JSON.parse(layer2) as {
      activationId: string;
      serverPublicKey: string;
      ctrData: string;
    };
    expect(b64(activation.ctrData).length).toBe(16);
    const fingerprint = activationFingerprint(suite, {
      devicePublicKey: b64(secrets.deviceKeyPair.publicKeyBase64),
      serverPublicKey: b64(activation.serverPublicKey),
      activationId: activation.activationId,
    });
    expect(fingerprint).toBe(create.sdkActivationFingerprint);
    const master = deriveMasterSecretV3(
      suite,
      hx(secrets.deviceKeyPair.privateKeyHex),
      b64(activation.serverPublicKey),
    );
    const keys = deriveKeysV3(suite, master);
    expect(bytesToHex(master)).toBe(secrets.derivedKeys.KEY_MASTER_SECRET);
    expect(bytesToHex(keys.transport)).toBe(secrets.derivedKeys.KEY_TRANSPORT);
    expect(encodeBase64(compressPublicKey('P-256', b64(activation.serverPublicKey)))).toBe(
      secrets.serverKeyPair.publicKeyBase64,
    );
  });

  it('3-5. status before and after the offline code; the offline code itself', () => {
    const initial = b64(secrets.ctrDataBase64);
    replayStatus(suite, steps['3_activationStatus'], initial);
    const offline = steps['4_offlineSignature'];
    const data = offlineDataBytes(buildRequestData({ nonce: offline.nonceBase64, body: offline.dataUtf8 }));
    expect(utf8Decode(data)).toBe(offline.normalizedData);
    const d = secrets.derivedKeys;
    const code = suite.engine.computeAuthCode({
      protocol: 3,
      keys: [hx(d.KEY_SIGNATURE_POSSESSION), hx(d.KEY_SIGNATURE_KNOWLEDGE)],
      counter: initial,
      data,
      length: offline.componentLength,
    });
    expect(code).toBe(offline.signature);
    const afterOffline = suite.engine.nextCounter(3, initial);
    expect(encodeBase64(afterOffline)).toBe(
      steps['5_activationStatusAfterOfflineSignature'].serverBlob.serverCtrDataBase64,
    );
    replayStatus(suite, steps['5_activationStatusAfterOfflineSignature'], afterOffline);
  });

  it('6. activation/remove: the device header byte-identical, the server finds it at step 0', () => {
    const step = steps['6_activationRemove'];
    const d = secrets.derivedKeys;
    const keys = {
      possession: hx(d.KEY_SIGNATURE_POSSESSION),
      knowledge: hx(d.KEY_SIGNATURE_KNOWLEDGE),
      biometry: hx(d.KEY_SIGNATURE_BIOMETRY),
    };
    const data = onlineSignatureData({
      method: 'POST',
      uriId: step.uriId,
      nonce: step.nonceBase64,
      body: step.requestBody,
      applicationSecret: app.applicationSecret,
    });
    expect(utf8Decode(data)).toBe(step.normalizedData);
    const signature = computeOnlineSignature(suite, {
      signatureType: 'possession_knowledge',
      keys,
      ctrData: b64(step.ctrDataBase64),
      data,
    });
    const header = buildAuthorizationHeader({
      activationId: secrets.activationId,
      applicationKey: app.applicationKey,
      nonce: step.nonceBase64,
      signatureType: 'possession_knowledge',
      signature,
    });
    expect(header).toBe(step.headerValue);
    const parsed = parseAuthorizationHeader(step.headerValue);
    const serverData = onlineSignatureData({
      method: 'POST',
      uriId: '/pa/activation/remove',
      nonce: parsed.nonce,
      body: utf8Encode(step.requestBody),
      applicationSecret: app.applicationSecret,
    });
    const result = verifyOnlineSignature(suite, {
      signatureType: parsed.signatureType,
      keys,
      ctrData: b64(step.ctrDataBase64),
      data: serverData,
      signature: parsed.signature,
      lookAhead: 20,
    });
    expect(result).toMatchObject({ match: true, position: 0 });
  });
});
