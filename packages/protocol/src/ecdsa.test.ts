import { p256, p384 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SUITE, suiteOf } from '../test/suites.js';
import { b64, EXAMPLE, hex, IMPLS, utf8 } from '../test/vectors.js';
import { encodeDerSignature, parseDerSignature } from './der.js';
import { EcdsaSigningKey, prepareEcdsaSigningKey, signEcdsaDer, verifyEcdsaDer } from './ecdsa.js';
import { ProtocolError } from './errors.js';
import { generateKeyPair, publicKeyFromPrivate } from './keys/ec.js';
import { getNodeCrypto } from './runtime.js';

const SIGNED_13 =
  '5ff1b1ed-a3cc-45a3-8ab0-ed60950312b6\nPayment\nPlease confirm this payment\nA1*A100CZK*ICZ2730300000001165254011*D20180425\nB\nAD8bOO0Df73kNaIGb3Vmpg==\n1';
const SIG_13 =
  'MEYCIQDCWstMmpmblOVEpZNstFrMLQHHZBL9fEqSCm9+m4XpYgIhAKSSDWK48AoRJY+lFx5nsHj98MXqYbJlsPGKlYw3CFBH';
const SIGNED_14_TYPE0 =
  '5ff1b1ed-a3cc-45a3-8ab0-ed60950312b6\nPayment\nPlease confirm this payment\nA1*A100CZK*ICZ2730300000001165254011*D20180425\nB\noKGio6SlpqeoqaqrrK2urw==\n0';
const SIG_14_TYPE0 =
  'MGUCMQC2u5PMroOQbBN48Hfv+Y1ZWKoJ6aD/5hwXtV2wI9tphn+kdaG2mCBS+AGX5anxINgCMCgI2pX2peBtLjKl3Oy0/Rnsv0xUwe158jXhHChw+mSu/1ERlzE4far2CYeTQaO4Tw==';

const CURVES = [
  { curve: 'P-256', noble: p256, size: 32 },
  { curve: 'P-384', noble: p384, size: 48 },
] as const;

it('runs on Node with node:crypto available (both paths are really exercised)', () => {
  expect(getNodeCrypto()).not.toBeNull();
});

describe.each(IMPLS)('ECDSA DER (%s)', (impl) => {
  it('verifies the crypto.md section 13 key type 1 signature (P-256/SHA-256)', () => {
    const serverPublic = b64(EXAMPLE.v3.serverPublicKey);
    expect(SIG_13.length).toBe(96);
    expect(b64(SIG_13).length).toBe(72);
    expect(utf8(SIGNED_13).length).toBe(148);
    expect(verifyEcdsaDer(suiteOf(impl), 'P-256', serverPublic, utf8(SIGNED_13), b64(SIG_13))).toBe(true);
    expect(
      verifyEcdsaDer(
        suiteOf(impl),
        'P-256',
        serverPublic,
        utf8(SIGNED_13.replace('\n1', '\n0')),
        b64(SIG_13),
      ),
    ).toBe(false);
    // The serverPrivateKey of the example is the matching key pair.
    expect(
      Array.from(publicKeyFromPrivate(suiteOf(impl), 'P-256', b64(EXAMPLE.v3.serverPrivateKey))),
    ).toEqual(Array.from(serverPublic));
  });

  it('verifies the crypto.md section 14 key type 0 signature (P-384/SHA-384)', () => {
    const pub = b64(EXAMPLE.v4.masterPublic);
    expect(
      Array.from(publicKeyFromPrivate(suiteOf(impl), 'P-384', hex(EXAMPLE.v4.masterPrivateHex))),
    ).toEqual(Array.from(pub));
    expect(b64(SIG_14_TYPE0).length).toBe(103);
    expect(verifyEcdsaDer(suiteOf(impl), 'P-384', pub, utf8(SIGNED_14_TYPE0), b64(SIG_14_TYPE0))).toBe(true);
    expect(
      verifyEcdsaDer(
        suiteOf(impl),
        'P-256',
        b64(EXAMPLE.v3.serverPublicKey),
        utf8(SIGNED_14_TYPE0),
        b64(SIG_14_TYPE0),
      ),
    ).toBe(false);
  });

  it.each(CURVES)('$curve: sign -> verify on both paths', ({ curve }) => {
    const { privateKey, publicKey } = generateKeyPair(suiteOf(impl), curve);
    const msg = utf8('Příliš žluťoučký kůň\n0');
    const sig = signEcdsaDer(suiteOf(impl), curve, privateKey, msg);
    for (const other of IMPLS) {
      expect(verifyEcdsaDer(suiteOf(other), curve, publicKey, msg, sig)).toBe(true);
      expect(verifyEcdsaDer(suiteOf(other), curve, publicKey, utf8('other'), sig)).toBe(false);
    }
  });

  it.each(CURVES)(
    '$curve: accepts high-S, rejects BER variants, trailing bytes and out-of-range values',
    ({ curve, noble, size }) => {
      const { privateKey, publicKey } = generateKeyPair(suiteOf(impl), curve);
      const msg = utf8('message');
      const der = signEcdsaDer(suiteOf(impl), curve, privateKey, msg);
      const n = noble.Point.Fn.ORDER;
      const v = parseDerSignature(der, size, n)!;
      expect(v).not.toBeNull();
      const flipped = encodeDerSignature({ r: v.r, s: n - v.s }, size);
      expect(verifyEcdsaDer(suiteOf(impl), curve, publicKey, msg, flipped)).toBe(true);

      const trailing = new Uint8Array([...der, 0]);
      expect(verifyEcdsaDer(suiteOf(impl), curve, publicKey, msg, trailing)).toBe(false);
      // Long-form length for a short body (BER).
      const longForm = new Uint8Array([0x30, 0x81, der[1]!, ...der.subarray(2)]);
      expect(verifyEcdsaDer(suiteOf(impl), curve, publicKey, msg, longForm)).toBe(false);
      // A superfluous leading zero in r.
      const rBytes = der.subarray(4, 4 + der[3]!);
      const sPart = der.subarray(4 + der[3]!);
      const padded = new Uint8Array([0x30, der[1]! + 1, 0x02, rBytes.length + 1, 0, ...rBytes, ...sPart]);
      expect(verifyEcdsaDer(suiteOf(impl), curve, publicKey, msg, padded)).toBe(false);
      // Raw r||s is not DER.
      const compact = new Uint8Array(2 * size);
      expect(verifyEcdsaDer(suiteOf(impl), curve, publicKey, msg, compact)).toBe(false);
      expect(
        verifyEcdsaDer(suiteOf(impl), curve, publicKey, msg, encodeDerSignature({ r: v.r, s: n }, size)),
      ).toBe(false);
      expect(
        verifyEcdsaDer(suiteOf(impl), curve, publicKey, msg, encodeDerSignature({ r: 0n, s: v.s }, size)),
      ).toBe(false);
      expect(verifyEcdsaDer(suiteOf(impl), curve, publicKey, msg, new Uint8Array(0))).toBe(false);
    },
  );

  it.each(CURVES)(
    '$curve: a prepared key signs like the scalar (Java form accepted), many times',
    ({ curve, size }) => {
      const { privateKey, publicKey } = generateKeyPair(suiteOf(impl), curve);
      const java = privateKey[0]! & 0x80 ? new Uint8Array([0, ...privateKey]) : privateKey;
      const key = prepareEcdsaSigningKey(suiteOf(impl), curve, java);
      expect(key).toBeInstanceOf(EcdsaSigningKey);
      expect(key.curve).toBe(curve);
      expect(Object.keys(key)).toEqual(['curve']); // no key material on the object itself
      for (const text of ['one\n1', 'two\n1', 'three\n0']) {
        const sig = signEcdsaDer(suiteOf(impl), curve, key, utf8(text));
        expect(
          parseDerSignature(sig, size, CURVES.find((c) => c.curve === curve)!.noble.Point.Fn.ORDER),
        ).not.toBeNull();
        for (const other of IMPLS)
          expect(verifyEcdsaDer(suiteOf(other), curve, publicKey, utf8(text), sig)).toBe(true);
      }
      const otherCurve = curve === 'P-256' ? 'P-384' : 'P-256';
      expect(() => signEcdsaDer(suiteOf(impl), otherCurve, key, utf8('x'))).toThrowError(/must be a P-/);
      expect(() => prepareEcdsaSigningKey(suiteOf(impl), curve, new Uint8Array(size))).toThrowError(
        ProtocolError,
      );
      expect(() => new EcdsaSigningKey(Symbol('prepareEcdsaSigningKey'), curve)).toThrowError(ProtocolError);
    },
  );

  it('throws a typed error for an invalid public key', () => {
    expect(() =>
      verifyEcdsaDer(suiteOf(impl), 'P-256', new Uint8Array(65), utf8('x'), new Uint8Array(70)),
    ).toThrowError(ProtocolError);
  });
});

describe('ECDSA paths against each other', () => {
  it('any signature from one path verifies on the other; tampering any byte fails on both (property)', () => {
    const keys = { 'P-256': generateKeyPair(SUITE, 'P-256'), 'P-384': generateKeyPair(SUITE, 'P-384') };
    fc.assert(
      fc.property(
        fc.constantFrom('P-256' as const, 'P-384' as const),
        fc.constantFrom(...IMPLS),
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.nat(),
        (curve, signer, msg, pick) => {
          const { privateKey, publicKey } = keys[curve];
          const sig = signEcdsaDer(suiteOf(signer), curve, privateKey, msg);
          const verifier = signer === 'node' ? 'noble' : 'node';
          expect(verifyEcdsaDer(suiteOf(verifier), curve, publicKey, msg, sig)).toBe(true);
          const tampered = msg.slice();
          tampered[pick % msg.length] = tampered[pick % msg.length]! ^ (1 << (pick % 8));
          expect(verifyEcdsaDer(suiteOf('node'), curve, publicKey, tampered, sig)).toBe(false);
          expect(verifyEcdsaDer(suiteOf('noble'), curve, publicKey, tampered, sig)).toBe(false);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('DER encode/parse round-trips (property)', () => {
    const n = p384.Point.Fn.ORDER;
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: n - 1n }), fc.bigInt({ min: 1n, max: n - 1n }), (r, s) => {
        const der = encodeDerSignature({ r, s }, 48);
        expect(parseDerSignature(der, 48, n)).toEqual({ r, s });
      }),
    );
  });
});
