import { p256, p384 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { suiteOf } from '../../test/suites.js';
import { b64, hex, IMPLS, toHex } from '../../test/vectors.js';
import { ProtocolError } from '../errors.js';
import {
  compressPublicKey,
  ecdh,
  generateKeyPair,
  normalizePrivateKey,
  normalizePublicKey,
  publicKeyFromPrivate,
} from './ec.js';

const P256_N = p256.Point.Fn.ORDER;

function expectKeyError(fn: () => unknown, field: string) {
  try {
    fn();
    expect.unreachable();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as ProtocolError).code).toBe('INVALID_KEY');
    expect((e as ProtocolError).field).toBe(field);
  }
}

describe('private keys', () => {
  it('normalizes Java forms: 33 bytes with 00, short forms', () => {
    const java = b64('APl59736fwYwx+U+2/vVAPEF0N0Mdyt9ARRXWLPO7KxP');
    expect(java.length).toBe(33);
    expect(toHex(normalizePrivateKey('P-256', java))).toBe(
      'f979f7bdfa7f0630c7e53edbfbd500f105d0dd0c772b7d01145758b3ceecac4f',
    );
    expect(toHex(normalizePrivateKey('P-256', new Uint8Array([1])))).toBe(`${'00'.repeat(31)}01`);
    expect(normalizePrivateKey('P-384', new Uint8Array(49).fill(1, 1)).length).toBe(48);
  });

  it('rejects zero, n, too long and non-bytes, without echoing the key', () => {
    expectKeyError(() => normalizePrivateKey('P-256', new Uint8Array(32)), 'privateKey');
    const n = hex(P256_N.toString(16).padStart(64, '0'));
    expectKeyError(() => normalizePrivateKey('P-256', n), 'privateKey');
    expectKeyError(() => normalizePrivateKey('P-256', new Uint8Array(33).fill(1)), 'privateKey');
    expectKeyError(() => normalizePrivateKey('P-256', new Uint8Array(0)), 'privateKey');
    expectKeyError(() => normalizePrivateKey('P-256', 'abc' as unknown as Uint8Array), 'privateKey');
    try {
      normalizePrivateKey('P-256', n);
    } catch (e) {
      expect((e as Error).message).not.toMatch(/[0-9a-f]{16}/i);
    }
  });

  it('refuses an unknown curve', () => {
    expect(() => normalizePrivateKey('P-521' as 'P-256', new Uint8Array(32).fill(1))).toThrowError(
      ProtocolError,
    );
  });
});

describe.each(IMPLS)('public keys and ECDH (%s)', (impl) => {
  it.each(['P-256', 'P-384'] as const)('%s: generate, compress, decompress, derive', (curve) => {
    const pair = generateKeyPair(suiteOf(impl), curve);
    const size = curve === 'P-256' ? 32 : 48;
    expect(pair.privateKey.length).toBe(size);
    expect(pair.publicKey.length).toBe(2 * size + 1);
    expect(toHex(publicKeyFromPrivate(suiteOf(impl), curve, pair.privateKey))).toBe(toHex(pair.publicKey));
    const compressed = compressPublicKey(curve, pair.publicKey);
    expect(compressed.length).toBe(size + 1);
    expect(toHex(normalizePublicKey(curve, compressed))).toBe(toHex(pair.publicKey));
    const other = generateKeyPair(suiteOf(impl), curve);
    const z1 = ecdh(suiteOf(impl), curve, pair.privateKey, other.publicKey);
    const z2 = ecdh(suiteOf(impl), curve, other.privateKey, compressed);
    expect(z1.length).toBe(size);
    expect(toHex(z1)).toBe(toHex(z2));
  });

  it('rejects off-curve points, the wrong curve, wrong lengths and prefixes', () => {
    const pub = p256.getPublicKey(p256.utils.randomSecretKey(), false);
    const off = pub.slice();
    off[64] = off[64]! ^ 1;
    expectKeyError(() => normalizePublicKey('P-256', off), 'publicKey');
    expectKeyError(() => normalizePublicKey('P-384', pub), 'publicKey');
    expectKeyError(() => normalizePublicKey('P-256', pub.subarray(0, 64)), 'publicKey');
    const hybrid = pub.slice();
    hybrid[0] = 6;
    expectKeyError(() => normalizePublicKey('P-256', hybrid), 'publicKey');
    expectKeyError(() => normalizePublicKey('P-256', new Uint8Array([0])), 'publicKey');
    // x = p has no square root check to pass: not a field element.
    const badX = new Uint8Array(33).fill(0xff);
    badX[0] = 2;
    expectKeyError(() => normalizePublicKey('P-256', badX), 'publicKey');
    const p384pub = p384.getPublicKey(p384.utils.randomSecretKey(), false);
    expectKeyError(() => ecdh(suiteOf(impl), 'P-256', new Uint8Array(32).fill(1), p384pub), 'publicKey');
  });

  it('agrees with @noble/curves for random keys (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (a, b) => {
          fc.pre(p256.utils.isValidSecretKey(a) && p256.utils.isValidSecretKey(b));
          const pubB = p256.getPublicKey(b, true);
          const expected = p256.getSharedSecret(a, pubB, true).slice(1);
          expect(toHex(ecdh(suiteOf(impl), 'P-256', a, pubB))).toBe(toHex(expected));
        },
      ),
      { numRuns: 30 },
    );
  });
});
