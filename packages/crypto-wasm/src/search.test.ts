import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backends, toHex } from '../test/helpers.js';
import type { OffcodeCrypto, OfflineFactorType, ProtocolVersion } from './types.js';

const keyLen = (p: ProtocolVersion) => (p === 4 ? 32 : 16);
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

function advance(
  crypto: OffcodeCrypto,
  protocol: ProtocolVersion,
  counter: Uint8Array,
  k: number,
): Uint8Array {
  let c = counter;
  for (let i = 0; i < k; i++) c = crypto.nextCounter(protocol, c);
  return c;
}

describe.each(backends)('searchOfflineCode on $backend', (crypto) => {
  for (const protocol of [3, 4] as const) {
    describe(`V${protocol}`, () => {
      const P = new Uint8Array(keyLen(protocol)).fill(1);
      const K = new Uint8Array(keyLen(protocol)).fill(2);
      const B = new Uint8Array(keyLen(protocol)).fill(3);
      const counter = new Uint8Array(protocol === 4 ? 32 : 16).fill(7);
      const data = new TextEncoder().encode('POST&L29wZXJhdGlvbi9hdXRob3JpemUvb2ZmbGluZQ==&x&y&offline');
      const window = 20;
      const search = (code: string, extra: Partial<Parameters<OffcodeCrypto['searchOfflineCode']>[0]> = {}) =>
        crypto.searchOfflineCode({
          protocol,
          possessionKey: P,
          factors: [
            { type: 'possession_knowledge', key: K },
            { type: 'possession_biometry', key: B },
          ],
          counter,
          window,
          data,
          code,
          ...extra,
        });

      it('finds a code computed k positions ahead for every k in the window, and nothing beyond', () => {
        let c: Uint8Array = counter;
        for (let k = 0; k < window + 3; k++) {
          const code = crypto.computeAuthCode({ protocol, keys: [P, K], counter: c, data });
          const bio = crypto.computeAuthCode({ protocol, keys: [P, B], counter: c, data, length: 6 });
          const found = search(code);
          const foundBio = search(bio, { length: 6 });
          if (k < window) {
            const expectedNext = toHex(crypto.nextCounter(protocol, c));
            expect(found).toMatchObject({
              match: true,
              position: k,
              type: 'possession_knowledge',
              counterIncrement: k + 1,
            });
            expect(found.match && toHex(found.nextCounter)).toBe(expectedNext);
            expect(foundBio).toMatchObject({ match: true, position: k, type: 'possession_biometry' });
          } else {
            expect(found).toEqual({ match: false });
            expect(foundBio).toEqual({ match: false });
          }
          c = crypto.nextCounter(protocol, c);
        }
      });

      it('does not accept biometry when only knowledge is tried', () => {
        const bio = crypto.computeAuthCode({ protocol, keys: [P, B], counter, data });
        expect(search(bio, { factors: [{ type: 'possession_knowledge', key: K }] })).toEqual({
          match: false,
        });
      });

      it('tries types in the order given', () => {
        const code = crypto.computeAuthCode({ protocol, keys: [P, K], counter, data });
        const found = search(code, {
          factors: [
            { type: 'possession_biometry', key: K },
            { type: 'possession_knowledge', key: K },
          ],
        });
        expect(found).toMatchObject({ match: true, type: 'possession_biometry' });
      });

      it('returns the first match in PowerAuth order: candidate first, then position', () => {
        const other = new TextEncoder().encode('other&offline');
        const ahead = advance(crypto, protocol, counter, 5);
        // candidate 1 at position 0 beats nothing on candidate 0; candidate 0 at position 5 beats candidate 1 at 0
        const code1 = crypto.computeAuthCode({ protocol, keys: [P, K], counter, data: other });
        expect(search(code1, { data: [data, other] })).toMatchObject({
          match: true,
          candidate: 1,
          position: 0,
        });
        const code0 = crypto.computeAuthCode({ protocol, keys: [P, K], counter: ahead, data });
        expect(search(code0, { data: [other, data, data] })).toMatchObject({
          match: true,
          candidate: 1,
          position: 5,
        });
      });

      it('a wrong second component never matches (no early exit on component 0)', () => {
        const code = crypto.computeAuthCode({ protocol, keys: [P, K], counter, data });
        const [a, b] = code.split('-') as [string, string];
        const wrong = `${a}-${((Number(b) + 1) % 1e8).toString().padStart(8, '0')}`;
        expect(search(wrong)).toEqual({ match: false });
      });
    });
  }
});

describe('wasm and noble agree', () => {
  const [wasm, noble] = backends as [OffcodeCrypto, OffcodeCrypto];
  const protocolArb = fc.constantFrom<ProtocolVersion>(3, 4);

  it('on hashes and MACs for random keys, data and lengths', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 1, max: 300 }),
        (key, data, s, dkLen) => {
          expect(toHex(wasm.sha256(data))).toBe(toHex(noble.sha256(data)));
          expect(toHex(wasm.sha3_256(data))).toBe(toHex(noble.sha3_256(data)));
          expect(toHex(wasm.hmacSha256(key, data))).toBe(toHex(noble.hmacSha256(key, data)));
          expect(toHex(wasm.kmac256(key, data, { customization: s, dkLen }))).toBe(
            toHex(noble.kmac256(key, data, { customization: s, dkLen })),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('on codes for random keys, counters, data, factor counts and lengths', () => {
    fc.assert(
      fc.property(
        protocolArb,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 4, max: 8 }),
        fc.uint8Array({ maxLength: 600 }),
        fc.infiniteStream(fc.uint8Array({ minLength: 32, maxLength: 32 })),
        (protocol, n, length, data, stream) => {
          const it = stream[Symbol.iterator]();
          const take = () => it.next().value!.slice(0, keyLen(protocol));
          const keys = Array.from({ length: n }, take);
          const counter = take();
          const input = { protocol, keys, counter, data, length };
          expect(wasm.computeAuthCode(input)).toBe(noble.computeAuthCode(input));
          expect(wasm.computeAuthCode({ ...input, format: 'base64' })).toBe(
            noble.computeAuthCode({ ...input, format: 'base64' }),
          );
          expect(toHex(wasm.nextCounter(protocol, counter))).toBe(
            toHex(noble.nextCounter(protocol, counter)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('on search results for random windows, positions and candidates', () => {
    fc.assert(
      fc.property(
        protocolArb,
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 70 }),
        fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.boolean(),
        bytes(32),
        fc.integer({ min: 4, max: 8 }),
        (protocol, window, k, candidates, pick, biometry, seed, length) => {
          const P = seed.slice(0, keyLen(protocol));
          const K = P.map((b) => b ^ 0x55);
          const B = P.map((b) => b ^ 0xaa);
          const counter = new Uint8Array(protocol === 4 ? 32 : 16).fill(seed[0]!);
          const i = pick % candidates.length;
          const ctr = advance(noble, protocol, counter, k);
          const code = noble.computeAuthCode({
            protocol,
            keys: [P, biometry ? B : K],
            counter: ctr,
            data: candidates[i]!,
            length,
          });
          const factors: { type: OfflineFactorType; key: Uint8Array }[] = [
            { type: 'possession_knowledge', key: K },
            { type: 'possession_biometry', key: B },
          ];
          const input = { protocol, possessionKey: P, factors, counter, window, data: candidates, code };
          const a = wasm.searchOfflineCode(input);
          const b = noble.searchOfflineCode(input);
          expect(a).toEqual(b);
          if (k < window) expect(a.match).toBe(true);
          if (a.match && k < window) {
            // the first match can only be at or before (i, k) in PowerAuth order
            expect(a.candidate < i || (a.candidate === i && a.position <= k)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
