import { describe, expect, it } from 'vitest';
import { nobleSuiteOf, SUITE, suiteOf } from '../../test/suites.js';
import { b64, EXAMPLE, hex, IMPLS, readJsonVector, toHex, vectorSources } from '../../test/vectors.js';
import { encodeBase64 } from '../base64.js';
import { ProtocolError } from '../errors.js';
import { ecdh } from './ec.js';
import { deriveActivationSecretV4, deriveKeysV4, kdfV4, V4_LABELS } from './v4.js';

// The published file (../shared/vectors; skipped with one line where missing) and its regression twin (always).
const ecdheSources = vectorSources<{
  ecdhe_test_vectors: { ecClientPrivateKey: string; ecServerPublicKey: string; sharedSecret: string }[];
}>('v4/ECDHE_P384_Test_Vectors.json');

interface Kat {
  nistKmac256: unknown[];
  ecdheKdfAnchor: {
    ecClientPrivateKey: string;
    ecServerPublicKey: string;
    ecdhZHex: string;
    label: string;
    sharedSecret: string;
  };
  keyHierarchy: Record<string, string>;
  kdfExamples: { keyHex: string; label: string; diversifierHex: string; outLen: number; outHex: string }[];
}
const kat = readJsonVector<Kat>('v4/kmac-kdf-kat.json');

describe.each(IMPLS)('V4 key derivation (%s)', (impl) => {
  for (const src of ecdheSources) {
    it.skipIf(!src.available)(
      `replays all 100 cases of ${src.source} ${src.file} (wasm and noble KDF)`,
      () => {
        const ecdhe = src.load().ecdhe_test_vectors;
        expect(ecdhe.length).toBe(100);
        for (const [n, c] of ecdhe.entries()) {
          const client = b64(c.ecClientPrivateKey);
          const server = b64(c.ecServerPublicKey);
          expect(encodeBase64(deriveActivationSecretV4(suiteOf(impl), client, server))).toBe(c.sharedSecret);
          // The KDF engine is exercised on a tenth of the cases: the ECDH above is the costly part.
          if (n % 10 === 0) {
            expect(encodeBase64(deriveActivationSecretV4(nobleSuiteOf(impl), client, server))).toBe(
              c.sharedSecret,
            );
          }
        }
      },
    );
  }

  it('replays the ecdheKdfAnchor of kmac-kdf-kat.json (Z, then KDF)', () => {
    const a = kat.ecdheKdfAnchor;
    const z = ecdh(suiteOf(impl), 'P-384', b64(a.ecClientPrivateKey), b64(a.ecServerPublicKey));
    expect(toHex(z)).toBe(a.ecdhZHex);
    expect(encodeBase64(kdfV4(SUITE, z, a.label))).toBe(a.sharedSecret);
  });
});

describe('V4 KDF', () => {
  it('replays the keyHierarchy of kmac-kdf-kat.json', () => {
    const h = kat.keyHierarchy;
    const secret = hex(h.KEY_ACTIVATION_SECRET_hex!);
    const auth = kdfV4(SUITE, secret, V4_LABELS.kdkAuthenticationCode);
    const util = kdfV4(SUITE, secret, V4_LABELS.kdkUtility);
    expect(toHex(auth)).toBe(h.KDK_AUTHENTICATION_CODE_hex);
    expect(toHex(util)).toBe(h.KDK_UTILITY_hex);
    const keys = deriveKeysV4(SUITE, secret);
    expect(toHex(keys.possession)).toBe(h.KEY_AUTHENTICATION_CODE_POSSESSION_hex);
    expect(toHex(keys.knowledge)).toBe(h.KEY_AUTHENTICATION_CODE_KNOWLEDGE_hex);
    expect(toHex(keys.biometry)).toBe(h.KEY_AUTHENTICATION_CODE_BIOMETRY_hex);
    expect(toHex(keys.macPersonalizedData)).toBe(h.KEY_MAC_PERSONALIZED_DATA_hex);
    expect(toHex(keys.macCtrData)).toBe(h.KEY_MAC_CTR_DATA_hex);
  });

  it('replays kdfExamples (16-byte output, non-empty diversifier)', () => {
    expect(kat.kdfExamples.length).toBe(3);
    for (const e of kat.kdfExamples) {
      const out = kdfV4(SUITE, hex(e.keyHex), e.label, {
        diversifier: hex(e.diversifierHex),
        length: e.outLen,
      });
      expect(toHex(out)).toBe(e.outHex);
    }
  });

  it('reproduces crypto.md section 14 keys', () => {
    const secret = deriveActivationSecretV4(
      SUITE,
      b64(EXAMPLE.v4.clientPrivateKey),
      b64(EXAMPLE.v4.serverPublicKey),
    );
    expect(toHex(secret)).toBe('7fb558ca2cb48afa045c640eb733eb9458b92cab7658139aba518a210e1bc634');
    expect(toHex(kdfV4(SUITE, secret, 'auth'))).toBe(
      '1312f1dd2daa15d338cb60cda47a1801f9f51448d87f68a2a3c12bdb3d7b788b',
    );
    expect(toHex(kdfV4(SUITE, secret, 'util'))).toBe(
      '5212eb76ddd9cf8ae60b83b7c247cc9b56e893711b40eda35ce03ca53619e02c',
    );
    const keys = deriveKeysV4(SUITE, secret);
    expect(toHex(keys.possession)).toBe('c38dd6ec8ae7973533f88e9d7b5d76c59f42f55c00888159cbca3388a36ec216');
    expect(toHex(keys.knowledge)).toBe('428a0231e26d401927c525f26a9927835c94ff831cd24be488bede6d3c5f20e6');
    expect(toHex(keys.biometry)).toBe('f2fff11a9a494254f6303db383789b82e0b08eef546d457f55948d6a97c6cbd9');
    expect(toHex(keys.macPersonalizedData)).toBe(
      '5bf32ac380091ee50daebd37b72ad43404144e6405b5b67a7fafdcfdda499b6a',
    );
    expect(toHex(keys.macCtrData)).toBe('7d5cad4b374c45f18503958fc7802a977392c3670b2468ad2b0b9cd899e2e950');
  });

  it('refuses bad input with typed errors', () => {
    expect(() => kdfV4(SUITE, new Uint8Array(0), 'auth')).toThrowError(ProtocolError);
    expect(() => kdfV4(SUITE, new Uint8Array(32), '')).toThrowError(ProtocolError);
    expect(() => kdfV4(SUITE, new Uint8Array(32), 'auth', { length: 0 })).toThrowError(ProtocolError);
    expect(() => deriveKeysV4(SUITE, new Uint8Array(31))).toThrowError(ProtocolError);
  });
});
