/**
 * The PA 3.3 code runs on the suite it is given: every hash, MAC and code goes through the passed engine
 * (a counting wrapper here) and none reaches the process-wide backends behind the @offcode/crypto-wasm
 * facade; with impl 'noble' node:crypto is never touched, with 'node' it does the EC and AES work.
 */
import {
  getNobleCrypto,
  getWasmCrypto,
  OFFCODE_CRYPTO_METHODS,
  type OffcodeCrypto,
} from '@offcode/crypto-wasm';
import { createWasmCrypto } from '@offcode/crypto-wasm/wasm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { countingEngine } from '../../test/activation-vectors.js';
import { encodeBase64 } from '../base64.js';
import { generateKeyPair } from '../keys/ec.js';
import { getNodeCrypto } from '../runtime.js';
import type { CryptoSuite } from '../suite.js';
import {
  decryptEciesRequest,
  decryptEciesResponse,
  type EciesParameters,
  encryptEciesRequest,
  encryptEciesResponse,
} from './ecies.js';
import { activationFingerprint } from './fingerprint.js';
import {
  createKeystoreRequestJwt,
  createKeystoreResponseJwt,
  keystoreRequestHmacKey,
  parseKeystoreRequestJwt,
  verifyKeystoreRequestJwt,
  verifyKeystoreResponseJwt,
} from './jwt.js';
import { computeOnlineSignature, onlineSignatureData, verifyOnlineSignature } from './online-signature.js';
import {
  buildStatusBlob,
  decryptStatusBlob,
  encryptStatusBlob,
  hashCounterDistance,
  statusBlobCtrDataHash,
} from './status-blob.js';

const ENGINE_METHODS = OFFCODE_CRYPTO_METHODS;
const ACTIVATION_ID = '2dd6fd63-67b7-4acf-a1e1-1143ce34d546';
const APP_KEY = encodeBase64(new Uint8Array(16).fill(1));
const APP_SECRET = encodeBase64(new Uint8Array(16).fill(2));

function spyAll(engine: OffcodeCrypto) {
  return ENGINE_METHODS.map((m) => vi.spyOn(engine, m));
}

/** One full pass of every primitive family: ECIES both ways and scopes, both JWTs, status blob, fingerprint, online signature. */
function exercise(suite: CryptoSuite): void {
  const temporary = generateKeyPair(suite, 'P-256');
  const transportKey = new Uint8Array(16).fill(3);
  const scopes: EciesParameters[] = [
    {
      scope: 'application',
      sharedInfo1: '/pa/generic/application',
      applicationKey: APP_KEY,
      applicationSecret: APP_SECRET,
    },
    {
      scope: 'activation',
      sharedInfo1: '/pa/token/create',
      applicationKey: APP_KEY,
      applicationSecret: APP_SECRET,
      activationId: ACTIVATION_ID,
      transportKey,
    },
  ];
  for (const params of scopes) {
    const plaintext = new Uint8Array([1, 2, 3]);
    const client = encryptEciesRequest(suite, params, {
      recipientPublicKey: temporary.publicKey,
      temporaryKeyId: 'key-1',
      plaintext,
    });
    const server = decryptEciesRequest(suite, params, {
      recipientPrivateKey: temporary.privateKey,
      request: client.request,
    });
    const response = encryptEciesResponse(suite, server.envelope, { plaintext });
    expect(decryptEciesResponse(suite, client.envelope, response)).toEqual(plaintext);
  }
  const jwt = createKeystoreRequestJwt(suite, {
    applicationKey: APP_KEY,
    applicationSecret: APP_SECRET,
    activationId: ACTIVATION_ID,
    transportKey,
  });
  const key = keystoreRequestHmacKey(suite, { applicationSecret: APP_SECRET, transportKey });
  expect(verifyKeystoreRequestJwt(suite, parseKeystoreRequestJwt(jwt), key)).toBe(true);
  const master = generateKeyPair(suite, 'P-256');
  const claims = {
    keyId: 'key-1',
    applicationKey: APP_KEY,
    challenge: APP_SECRET,
    publicKey: temporary.publicKey,
    issuedAtMs: 1,
    expiresAtMs: 2,
  };
  const response = createKeystoreResponseJwt(suite, { signingPrivateKey: master.privateKey, claims });
  expect(
    verifyKeystoreResponseJwt(suite, response, {
      signerPublicKey: master.publicKey,
      challenge: APP_SECRET,
      applicationKey: APP_KEY,
    }).keyId,
  ).toBe('key-1');

  const ctrData = new Uint8Array(16).fill(4);
  const keys = { transportKey, challenge: new Uint8Array(16), nonce: new Uint8Array(16).fill(5) };
  const ctrDataHash = statusBlobCtrDataHash(suite, transportKey, ctrData);
  const plaintext = buildStatusBlob({
    status: 'ACTIVE',
    currentVersion: 3,
    upgradeVersion: 3,
    ctrByte: 0,
    failedAttempts: 0,
    maxFailedAttempts: 5,
    ctrLookAhead: 20,
    ctrDataHash,
  });
  const fields = decryptStatusBlob(suite, {
    ...keys,
    encryptedStatusBlob: encryptStatusBlob(suite, { ...keys, plaintext }),
  });
  expect(
    hashCounterDistance(suite, { transportKey, ctrData, ctrDataHash: fields.ctrDataHash, lookAhead: 20 }),
  ).toBe(0);
  expect(
    activationFingerprint(suite, {
      devicePublicKey: master.publicKey,
      serverPublicKey: temporary.publicKey,
      activationId: ACTIVATION_ID,
    }),
  ).toMatch(/^\d{8}$/);

  const factorKeys = { possession: new Uint8Array(16).fill(6), knowledge: new Uint8Array(16).fill(7) };
  const data = onlineSignatureData({
    method: 'POST',
    uriId: '/pa/activation/remove',
    nonce: APP_KEY,
    body: '{}',
    applicationSecret: APP_SECRET,
  });
  const signature = computeOnlineSignature(suite, {
    signatureType: 'possession_knowledge',
    keys: factorKeys,
    ctrData,
    data,
  });
  const later = suite.engine.nextCounter(3, suite.engine.nextCounter(3, ctrData));
  const laterSignature = computeOnlineSignature(suite, {
    signatureType: 'possession_knowledge',
    keys: factorKeys,
    ctrData: later,
    data,
  });
  expect(
    verifyOnlineSignature(suite, {
      signatureType: 'possession_knowledge',
      keys: factorKeys,
      ctrData,
      data,
      signature: laterSignature,
      lookAhead: 20,
    }),
  ).toMatchObject({ match: true, position: 2 });
  expect(signature).not.toBe(laterSignature);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('CryptoSuite injection', () => {
  it('a private wasm instance does all the hashing; the process-wide wasm and noble backends see no call', () => {
    const { engine, calls } = countingEngine(createWasmCrypto());
    const spies = [...spyAll(getWasmCrypto()), ...spyAll(getNobleCrypto())];
    exercise({ engine, impl: 'noble' });
    for (const method of ['sha256', 'hmacSha256', 'computeAuthCode', 'nextCounter'])
      expect(calls[method]).toBeGreaterThan(0);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('the noble engine given: every call it gets comes through the suite, the wasm backend sees none', () => {
    const { engine, calls } = countingEngine(getNobleCrypto());
    const nobleSpies = Object.fromEntries(ENGINE_METHODS.map((m) => [m, vi.spyOn(getNobleCrypto(), m)]));
    const wasmSpies = spyAll(getWasmCrypto());
    exercise({ engine, impl: 'node' });
    for (const method of ENGINE_METHODS) expect(nobleSpies[method]).toHaveBeenCalledTimes(calls[method]!);
    expect(calls.hmacSha256).toBeGreaterThan(0);
    for (const spy of wasmSpies) expect(spy).not.toHaveBeenCalled();
  });

  it("impl 'noble' never touches node:crypto; impl 'node' does the EC and AES work there", () => {
    const node = getNodeCrypto()!;
    const names = [
      'createCipheriv',
      'createDecipheriv',
      'createECDH',
      'sign',
      'verify',
      'createPublicKey',
      'createPrivateKey',
    ] as const;
    const spies = names.map((n) => vi.spyOn(node, n));
    exercise({ engine: getWasmCrypto(), impl: 'noble' });
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    exercise({ engine: getWasmCrypto(), impl: 'node' });
    for (const spy of spies) expect(spy).toHaveBeenCalled();
  });

  it('refuses a missing engine or impl with a ProtocolError naming it', () => {
    const params: EciesParameters = {
      scope: 'application',
      sharedInfo1: '/pa/generic/application',
      applicationKey: APP_KEY,
      applicationSecret: APP_SECRET,
    };
    const input = {
      recipientPublicKey: new Uint8Array(65),
      temporaryKeyId: 'k',
      plaintext: new Uint8Array(0),
    };
    expect(() => encryptEciesRequest({ impl: 'node' } as unknown as CryptoSuite, params, input)).toThrowError(
      'suite.engine',
    );
    expect(() =>
      encryptEciesRequest({ engine: getWasmCrypto(), impl: 'fast' } as unknown as CryptoSuite, params, input),
    ).toThrowError('suite.impl');
  });
});
