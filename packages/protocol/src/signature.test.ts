import { describe, expect, it } from 'vitest';
import { SUITE, suiteOf } from '../test/suites.js';
import { b64, EXAMPLE, hex, IMPLS, toHex, utf8 } from '../test/vectors.js';
import { encodeBase64 } from './base64.js';
import { prepareEcdsaSigningKey } from './ecdsa.js';
import { ProtocolError } from './errors.js';
import { generateKeyPair } from './keys/ec.js';
import { buildPayloadData, composeSignedData, generateNonce } from './payload/build.js';
import { parseOfflinePayload, parseOfflinePayloadOrThrow } from './payload/parse.js';
import type { KeyType } from './payload/types.js';
import {
  isKeyTypeValidFor,
  macPayloadV4,
  signOfflinePayload,
  verifyOfflinePayloadSignature,
} from './signature.js';

const MAC_KEY_14 = hex('5bf32ac380091ee50daebd37b72ad43404144e6405b5b67a7fafdcfdda499b6a');
const DATA = `${EXAMPLE.operationId}\n${EXAMPLE.title}\n${EXAMPLE.message}\n${EXAMPLE.operationData}\n${EXAMPLE.flags}`;

describe('key type 2 MAC (crypto.md 7.4 and 14)', () => {
  it('reproduces the section 14 tag and payload', () => {
    const signedData = composeSignedData({
      data: DATA,
      totp: '23226405',
      nonce: EXAMPLE.v4.nonce,
      keyType: 2,
    });
    expect(signedData).toBe(
      '5ff1b1ed-a3cc-45a3-8ab0-ed60950312b6\nPayment\nPlease confirm this payment\nA1*A100CZK*ICZ2730300000001165254011*D20180425\nB\n23226405\noKGio6SlpqeoqaqrrK2urw==\n2',
    );
    expect(utf8(signedData).length).toBe(157);
    expect(toHex(macPayloadV4(SUITE, MAC_KEY_14, utf8(signedData)))).toBe(
      '958ab0827ef9bd050a5ba6eae982d8e0d89641b083d3c6aa1926d7e1146147a1',
    );
    const payload = signOfflinePayload(SUITE, { signedData, keyType: 2, protocol: 4, macKey: MAC_KEY_14 });
    expect(payload).toBe(`${signedData}lYqwgn75vQUKW6bq6YLY4NiWQbCD08aqGSbX4RRhR6E=`);
    const parsed = parseOfflinePayloadOrThrow(payload);
    expect(verifyOfflinePayloadSignature(SUITE, parsed, { protocol: 4, macKey: MAC_KEY_14 })).toBe(true);
    expect(verifyOfflinePayloadSignature(SUITE, parsed, { protocol: 4, macKey: new Uint8Array(32) })).toBe(
      false,
    );
    // A V3 activation never accepts key type 2.
    expect(verifyOfflinePayloadSignature(SUITE, parsed, { protocol: 3, macKey: MAC_KEY_14 })).toBe(false);
  });
});

describe('key-type validity per protocol', () => {
  it('V3 {0, 1}, V4 {0, 2}', () => {
    expect([0, 1, 2].map((k) => isKeyTypeValidFor(3, k))).toEqual([true, true, false]);
    expect([0, 1, 2].map((k) => isKeyTypeValidFor(4, k))).toEqual([true, false, true]);
    expect(() => isKeyTypeValidFor(5 as 3, 0)).toThrowError(ProtocolError);
  });
});

interface Setup {
  protocol: 3 | 4;
  keyType: KeyType;
  totp?: string;
}

const SETUPS: Setup[] = [
  { protocol: 3, keyType: 0 },
  { protocol: 3, keyType: 1 },
  { protocol: 3, keyType: 1, totp: '12345678' },
  { protocol: 4, keyType: 0 },
  { protocol: 4, keyType: 2 },
  { protocol: 4, keyType: 2, totp: '123456' },
];

function makeSigned(setup: Setup, impl: 'node' | 'noble') {
  const curve = setup.protocol === 3 ? 'P-256' : 'P-384';
  const pair = generateKeyPair(SUITE, curve);
  const macKey = new Uint8Array(32).map((_, i) => i * 7);
  const data = buildPayloadData({
    operationId: 'op-1',
    title: 'Platba – ž',
    message: 'C:\\ 50 % *off*\nnow',
    operationData: 'A1*A1250.50CZK*ICZ6508000000192000145399*NNájem září',
    flags: { biometricsAllowed: true, fraudWarning: true },
  });
  const signedData = composeSignedData({
    data,
    totp: setup.totp,
    nonce: generateNonce(),
    keyType: setup.keyType,
  });
  const text = signOfflinePayload(suiteOf(impl), {
    signedData,
    keyType: setup.keyType,
    protocol: setup.protocol,
    privateKey: pair.privateKey,
    macKey,
  });
  const keys = {
    protocol: setup.protocol,
    masterPublicKey: setup.keyType === 0 ? pair.publicKey : undefined,
    serverPublicKey: setup.keyType === 1 ? pair.publicKey : undefined,
    macKey,
  };
  return { text, keys };
}

describe.each(IMPLS)('sign -> parse -> verify (signing with %s)', (signer) => {
  it.each(SETUPS)(
    'V$protocol key type $keyType (totp: $totp) verifies on both paths; every tampered byte fails',
    (setup) => {
      const { text, keys } = makeSigned(setup, signer);
      const parsed = parseOfflinePayloadOrThrow(text);
      expect(parsed.keyType).toBe(setup.keyType);
      expect(parsed.totp).toBe(setup.totp ?? null);
      for (const impl of IMPLS)
        expect(verifyOfflinePayloadSignature(suiteOf(impl), parsed, { ...keys })).toBe(true);

      const bytes = utf8(text);
      let verified = 0;
      for (let i = 0; i < bytes.length; i++) {
        const tampered = bytes.slice();
        tampered[i] = tampered[i]! ^ (1 << (i % 8));
        const result = parseOfflinePayload(tampered);
        if (!result.ok) continue; // rejected before any verification: also a failure to verify
        const impl = IMPLS[i % 2]!;
        expect(verifyOfflinePayloadSignature(suiteOf(impl), result.value, { ...keys }), `byte ${i}`).toBe(
          false,
        );
        verified++;
      }
      // Most flips keep the payload parseable, so the signature check itself is what rejects them.
      expect(verified).toBeGreaterThan(bytes.length * 0.5);
    },
  );
});

describe.each(IMPLS)('signOfflinePayload with a prepared key (%s)', (impl) => {
  it.each([
    { protocol: 3 as const, keyType: 1 as const, curve: 'P-256' as const },
    { protocol: 3 as const, keyType: 0 as const, curve: 'P-256' as const },
    { protocol: 4 as const, keyType: 0 as const, curve: 'P-384' as const },
  ])('V$protocol key type $keyType: verifies on both paths; a key of the other curve is refused', (s) => {
    const pair = generateKeyPair(suiteOf(impl), s.curve);
    const privateKey = prepareEcdsaSigningKey(suiteOf(impl), s.curve, pair.privateKey);
    const keys = { protocol: s.protocol, masterPublicKey: pair.publicKey, serverPublicKey: pair.publicKey };
    for (let i = 0; i < 3; i++) {
      const signedData = composeSignedData({ data: DATA, nonce: generateNonce(), keyType: s.keyType });
      const text = signOfflinePayload(suiteOf(impl), {
        signedData,
        keyType: s.keyType,
        protocol: s.protocol,
        privateKey,
      });
      for (const other of IMPLS)
        expect(verifyOfflinePayloadSignature(suiteOf(other), parseOfflinePayloadOrThrow(text), keys)).toBe(
          true,
        );
    }
    const wrong = prepareEcdsaSigningKey(
      suiteOf(impl),
      s.curve === 'P-256' ? 'P-384' : 'P-256',
      generateKeyPair(suiteOf(impl), s.curve === 'P-256' ? 'P-384' : 'P-256').privateKey,
    );
    const signedData = composeSignedData({ data: DATA, nonce: generateNonce(), keyType: s.keyType });
    expect(() =>
      signOfflinePayload(suiteOf(impl), {
        signedData,
        keyType: s.keyType,
        protocol: s.protocol,
        privateKey: wrong,
      }),
    ).toThrowError(ProtocolError);
  });
});

describe('signOfflinePayload / verifyOfflinePayloadSignature input checks', () => {
  const signedData = composeSignedData({ data: DATA, nonce: EXAMPLE.v3.nonce, keyType: 1 });

  it('refuses a key type invalid for the protocol, a missing key and mismatching signed data', () => {
    const key = generateKeyPair(SUITE, 'P-256').privateKey;
    expect(() =>
      signOfflinePayload(SUITE, { signedData, keyType: 2, protocol: 3, macKey: MAC_KEY_14 }),
    ).toThrowError(ProtocolError);
    expect(() => signOfflinePayload(SUITE, { signedData, keyType: 1, protocol: 3 })).toThrowError(
      ProtocolError,
    );
    expect(() =>
      signOfflinePayload(SUITE, { signedData, keyType: 0, protocol: 3, privateKey: key }),
    ).toThrowError(ProtocolError);
    expect(() =>
      signOfflinePayload(SUITE, {
        signedData: signedData.replace(/1$/, '2'),
        keyType: 2,
        protocol: 4,
        macKey: new Uint8Array(31),
      }),
    ).toThrowError(ProtocolError);
    const payload = signOfflinePayload(SUITE, { signedData, keyType: 1, protocol: 3, privateKey: key });
    const parsed = parseOfflinePayloadOrThrow(payload);
    try {
      verifyOfflinePayloadSignature(SUITE, parsed, { protocol: 3 });
      expect.unreachable();
    } catch (e) {
      expect((e as ProtocolError).field).toBe('serverPublicKey');
    }
    // The master key does not verify a personalized payload.
    expect(
      verifyOfflinePayloadSignature(SUITE, parsed, {
        protocol: 3,
        serverPublicKey: generateKeyPair(SUITE, 'P-256').publicKey,
      }),
    ).toBe(false);
    expect(
      verifyOfflinePayloadSignature(SUITE, parsed, { protocol: 4, serverPublicKey: new Uint8Array(97) }),
    ).toBe(false);
  });

  it('emits canonical Base64 signatures', () => {
    const key = generateKeyPair(SUITE, 'P-256').privateKey;
    const payload = signOfflinePayload(SUITE, { signedData, keyType: 1, protocol: 3, privateKey: key });
    const sig = payload.slice(signedData.length);
    expect(encodeBase64(b64(sig))).toBe(sig);
  });
});
