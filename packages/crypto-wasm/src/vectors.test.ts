import { describe, expect, it } from 'vitest';
import { b64, backends, hex, readVector, toB64, toHex, vectorSources } from '../test/helpers.js';
import type { FactorType, OffcodeCrypto } from './types.js';

interface OfflineCase {
  input: {
    signaturePossessionKey: string;
    signatureKnowledgeKey: string;
    signatureBiometryKey: string;
    signatureType: FactorType;
    signatureComponentLength: string;
    counterData: string;
    data: string;
  };
  output: { signature: string };
}
// Published files (from ../shared/vectors, skipped with a one-line notice where that is missing) and their
// regression twins (test-vectors/regression, always): every source on every backend.
const offlineSources = vectorSources<{ data: OfflineCase[] }>('v3/signatures-offline.json');
const counterSources = vectorSources<{ hash_based_counter_test_vectors: Record<string, string>[] }>(
  'v4/Hash_Based_Counter_Test_Vectors.json',
);
const authV4 = readVector<{
  auth_code_test_vectors: {
    key1: string;
    key2: string;
    key3: string;
    ctrData: string;
    inputData: string;
    authCodeOnline: string;
    authCodeOffline: string;
  }[];
}>('v4/auth-code-v4.json').auth_code_test_vectors;
const kat = readVector<{
  nistKmac256: {
    keyHex: string;
    dataHex: string;
    customization: string;
    outLen: number;
    expectedHex: string;
  }[];
  kdfExamples: { keyHex: string; label: string; diversifierHex: string; outLen: number; outHex: string }[];
}>('v4/kmac-kdf-kat.json');

function v3Keys(c: OfflineCase['input']): Uint8Array[] {
  const p = b64(c.signaturePossessionKey);
  const k = b64(c.signatureKnowledgeKey);
  const b = b64(c.signatureBiometryKey);
  const byType: Partial<Record<FactorType, Uint8Array[]>> = {
    possession: [p],
    knowledge: [k],
    biometry: [b],
    possession_knowledge: [p, k],
    possession_biometry: [p, b],
    possession_knowledge_biometry: [p, k, b],
  };
  const keys = byType[c.signatureType];
  if (!keys) throw new Error(`unexpected type ${c.signatureType}`);
  return keys;
}

describe.each(backends)('vectors on $backend', (crypto: OffcodeCrypto) => {
  for (const src of offlineSources) {
    describe.skipIf(!src.available)(`V3 offline signatures of ${src.source} ${src.file}`, () => {
      it('replays all 200 cases (L = 4..8, possession and possession_knowledge)', () => {
        const offline = src.load().data;
        expect(offline).toHaveLength(200);
        for (const { input, output } of offline) {
          const code = crypto.computeAuthCode({
            protocol: 3,
            keys: v3Keys(input),
            counter: b64(input.counterData),
            data: b64(input.data),
            length: Number(input.signatureComponentLength),
          });
          expect(code).toBe(output.signature);
        }
      });

      it('links consecutive cases with next() (runs of 20)', () => {
        const offline = src.load().data;
        let links = 0;
        for (let i = 0; i + 1 < offline.length; i++) {
          if ((i + 1) % 20 === 0) continue;
          const next = crypto.nextCounter(3, b64(offline[i]!.input.counterData));
          expect(toB64(next)).toBe(offline[i + 1]!.input.counterData);
          links++;
        }
        expect(links).toBe(190);
      });
    });
  }

  for (const src of counterSources) {
    it.skipIf(!src.available)(
      `replays the V4 hash-based counter chains (SHA3-256) of ${src.source} ${src.file}`,
      () => {
        const counters = src.load().hash_based_counter_test_vectors;
        expect(counters).toHaveLength(10);
        for (const chain of counters) {
          for (let k = 0; k < 20; k++) {
            expect(toB64(crypto.nextCounter(4, b64(chain[`ctrData[${k}]`]!)))).toBe(
              chain[`ctrData[${k + 1}]`],
            );
          }
        }
      },
    );
  }

  it('replays the V4 C32 auth codes, online and offline (auth-code-v4.json)', () => {
    expect(authV4).toHaveLength(10);
    for (const v of authV4) {
      const input = {
        protocol: 4 as const,
        keys: [b64(v.key1), b64(v.key2), b64(v.key3)],
        counter: b64(v.ctrData),
        data: b64(v.inputData),
      };
      expect(crypto.computeAuthCode({ ...input, format: 'base64' })).toBe(v.authCodeOnline);
      expect(crypto.computeAuthCode(input)).toBe(v.authCodeOffline);
    }
  });

  it('replays the NIST SP 800-185 KMAC256 samples and the KDF examples (kmac-kdf-kat.json)', () => {
    expect(kat.nistKmac256).toHaveLength(3);
    for (const v of kat.nistKmac256) {
      const out = crypto.kmac256(hex(v.keyHex), hex(v.dataHex), {
        customization: v.customization,
        dkLen: v.outLen,
      });
      expect(toHex(out)).toBe(v.expectedHex.toLowerCase());
    }
    for (const v of kat.kdfExamples) {
      const out = crypto.kmac256(hex(v.keyHex), hex(v.diversifierHex), {
        customization: `PA4KDF:${v.label}`,
        dkLen: v.outLen,
      });
      expect(toHex(out)).toBe(v.outHex.toLowerCase());
    }
  });

  it('reproduces the V3 worked example of crypto.md section 13', () => {
    const P = hex('5143901fcf47a1afcdc3b7b0e6b1933f');
    const K = hex('8631d64f2dc70379d074371d9c96d133');
    const B = hex('4bd7cdbc652151a7e9d7cba9156cc2a0');
    const counter = b64('V4uAF/PstuQoGNnNTifHuw==');
    const data = new TextEncoder().encode(
      'POST&L29wZXJhdGlvbi9hdXRob3JpemUvb2ZmbGluZQ==&AD8bOO0Df73kNaIGb3Vmpg==&NWZmMWIxZWQtYTNjYy00NWEzLThhYjAtZWQ2MDk1MDMxMmI2JkExKkExMDBDWksqSUNaMjczMDMwMDAwMDAwMTE2NTI1NDAxMSpEMjAxODA0MjU=&offline',
    );
    expect(data.length).toBe(191);
    expect(crypto.computeAuthCode({ protocol: 3, keys: [P, K], counter, data })).toBe('81635335-01379301');
    expect(crypto.computeAuthCode({ protocol: 3, keys: [P, K], counter, data, length: 4 })).toBe('5335-9301');
    expect(crypto.computeAuthCode({ protocol: 3, keys: [P, B], counter, data })).toBe('81635335-54741027');
    expect(crypto.computeAuthCode({ protocol: 3, keys: [P, K], counter, data, format: 'base64' })).toBe(
      'I7ZujHwEWUOcIvL1itOJB9K9d/9RhDD93uMm/7W59OU=',
    );
    const next = crypto.nextCounter(3, counter);
    expect(toB64(next)).toBe('orZ9RZH55L6aCgIj3RVReA==');
    expect(crypto.computeAuthCode({ protocol: 3, keys: [P, K], counter: next, data })).toBe(
      '65715390-97103082',
    );
    const found = crypto.searchOfflineCode({
      protocol: 3,
      possessionKey: P,
      factors: [{ type: 'possession_knowledge', key: K }],
      counter,
      window: 20,
      data,
      code: '65715390-97103082',
    });
    expect(found).toMatchObject({ match: true, position: 1, candidate: 0, type: 'possession_knowledge' });
    expect(found.match && toB64(found.nextCounter)).toBe('ayfObKO450kplewm9vYvmg==');
  });

  it('reproduces the V4 worked example of crypto.md section 14', () => {
    const P = hex('c38dd6ec8ae7973533f88e9d7b5d76c59f42f55c00888159cbca3388a36ec216');
    const K = hex('428a0231e26d401927c525f26a9927835c94ff831cd24be488bede6d3c5f20e6');
    const B = hex('f2fff11a9a494254f6303db383789b82e0b08eef546d457f55948d6a97c6cbd9');
    const counter = b64('gm3Ku2m87l4SgiYDUZEzOw538VgUXWgynwdrwxZ4nsc=');
    const data = new TextEncoder().encode(
      'POST&L29wZXJhdGlvbi9hdXRob3JpemUvb2ZmbGluZQ==&oKGio6SlpqeoqaqrrK2urw==&NWZmMWIxZWQtYTNjYy00NWEzLThhYjAtZWQ2MDk1MDMxMmI2JkExKkExMDBDWksqSUNaMjczMDMwMDAwMDAwMTE2NTI1NDAxMSpEMjAxODA0MjUmMjMyMjY0MDU=&offline',
    );
    expect(data.length).toBe(203);
    expect(crypto.computeAuthCode({ protocol: 4, keys: [P, K], counter, data })).toBe('73964965-25628884');
    expect(crypto.computeAuthCode({ protocol: 4, keys: [P, K], counter, data, length: 6 })).toBe(
      '964965-628884',
    );
    expect(crypto.computeAuthCode({ protocol: 4, keys: [P, B], counter, data })).toBe('73964965-70205815');
    expect(crypto.computeAuthCode({ protocol: 4, keys: [P, K], counter, data, format: 'base64' })).toBe(
      'CwjYZOpmwrOTJRHcwWcRw1UhVdQCa/knanAT20ADZ6UBDUQkD03fyRUkyBDNFo7AJHTQYVdwQz6r09BT4OUg1A==',
    );
    const found = crypto.searchOfflineCode({
      protocol: 4,
      possessionKey: P,
      factors: [
        { type: 'possession_knowledge', key: K },
        { type: 'possession_biometry', key: B },
      ],
      counter,
      window: 20,
      data: [new Uint8Array([1, 2, 3]), data],
      code: '73964965-70205815',
    });
    expect(found).toMatchObject({ match: true, position: 0, candidate: 1, type: 'possession_biometry' });
    expect(found.match && toB64(found.nextCounter)).toBe('JXPZhQyLmR6FT5d+wjRuXz69wfQfuzRx+W76/Gom9AM=');
  });
});
