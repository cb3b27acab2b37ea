import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backends } from '../test/helpers.js';
import { OffcodeCryptoError } from './errors.js';
import { getOffcodeCrypto } from './index.js';
import { parseOfflineCode } from './validate.js';

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OffcodeCryptoError);
    return (e as OffcodeCryptoError).field;
  }
  throw new Error('expected an OffcodeCryptoError');
}

const k16 = new Uint8Array(16);
const k32 = new Uint8Array(32);

describe.each(backends)('input validation on $backend', (crypto) => {
  const base = {
    protocol: 3 as const,
    possessionKey: k16,
    factors: [{ type: 'possession_knowledge' as const, key: k16 }],
    counter: k16,
    window: 20,
    data: new Uint8Array(10),
    code: '12345678-12345678',
  };

  it('names the offending field of a search', () => {
    expect(fieldOf(() => crypto.searchOfflineCode({ ...base, protocol: 5 as 3 }))).toBe('protocol');
    expect(fieldOf(() => crypto.searchOfflineCode({ ...base, possessionKey: k32 }))).toBe('possessionKey');
    expect(fieldOf(() => crypto.searchOfflineCode({ ...base, counter: k32 }))).toBe('counter');
    expect(fieldOf(() => crypto.searchOfflineCode({ ...base, window: 0 }))).toBe('window');
    expect(fieldOf(() => crypto.searchOfflineCode({ ...base, window: 65 }))).toBe('window');
    expect(fieldOf(() => crypto.searchOfflineCode({ ...base, window: 1.5 }))).toBe('window');
    expect(fieldOf(() => crypto.searchOfflineCode({ ...base, data: [] }))).toBe('data');
    expect(fieldOf(() => crypto.searchOfflineCode({ ...base, code: '1234-12345' }))).toBe('code');
    expect(fieldOf(() => crypto.searchOfflineCode({ ...base, code: '123-123' }))).toBe('code');
    expect(fieldOf(() => crypto.searchOfflineCode({ ...base, code: '12345678-1234567a' }))).toBe('code');
    expect(fieldOf(() => crypto.searchOfflineCode({ ...base, code: '12345678-12345678', length: 6 }))).toBe(
      'code',
    );
    expect(fieldOf(() => crypto.searchOfflineCode({ ...base, factors: [] }))).toBe('factors');
    expect(
      fieldOf(() =>
        crypto.searchOfflineCode({
          ...base,
          factors: [{ type: 'possession' as 'possession_knowledge', key: k16 }],
        }),
      ),
    ).toBe('factors[0].type');
    expect(
      fieldOf(() =>
        crypto.searchOfflineCode({
          ...base,
          factors: [
            { type: 'possession_knowledge', key: k16 },
            { type: 'possession_knowledge', key: k16 },
          ],
        }),
      ),
    ).toBe('factors');
    expect(fieldOf(() => crypto.searchOfflineCode({ ...base, data: new Uint8Array((1 << 20) + 1) }))).toBe(
      'data[0]',
    );
  });

  it('names the offending field of a compute', () => {
    const input = { protocol: 4 as const, keys: [k32], counter: k32, data: new Uint8Array(0) };
    expect(crypto.computeAuthCode(input)).toMatch(/^\d{8}$/);
    expect(fieldOf(() => crypto.computeAuthCode({ ...input, keys: [] }))).toBe('keys');
    expect(fieldOf(() => crypto.computeAuthCode({ ...input, keys: [k32, k32, k32, k32] }))).toBe('keys');
    expect(fieldOf(() => crypto.computeAuthCode({ ...input, keys: [k32, k16] }))).toBe('keys[1]');
    expect(fieldOf(() => crypto.computeAuthCode({ ...input, counter: k16 }))).toBe('counter');
    expect(fieldOf(() => crypto.computeAuthCode({ ...input, length: 3 }))).toBe('length');
    expect(fieldOf(() => crypto.computeAuthCode({ ...input, length: 9 }))).toBe('length');
    expect(fieldOf(() => crypto.computeAuthCode({ ...input, format: 'hex' as 'decimal' }))).toBe('format');
    expect(fieldOf(() => crypto.computeAuthCode({ ...input, data: 'text' as unknown as Uint8Array }))).toBe(
      'data',
    );
    expect(fieldOf(() => crypto.nextCounter(3, k32))).toBe('counter');
    expect(fieldOf(() => crypto.kmac256(k32, k32, { dkLen: 0 }))).toBe('dkLen');
  });

  it('never throws anything but OffcodeCryptoError on arbitrary search inputs', () => {
    const anyBytes = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.constant(k16),
      fc.constant(k32),
      fc.anything(),
    );
    fc.assert(
      fc.property(
        fc.record({
          protocol: fc.oneof(fc.constantFrom(3, 4), fc.anything()),
          possessionKey: anyBytes,
          factors: fc.oneof(
            fc.array(
              fc.record({
                type: fc.oneof(fc.constantFrom('possession_knowledge', 'possession_biometry'), fc.string()),
                key: anyBytes,
              }),
              { maxLength: 3 },
            ),
            fc.anything(),
          ),
          counter: anyBytes,
          window: fc.oneof(fc.integer({ min: -2, max: 70 }), fc.double(), fc.anything()),
          data: fc.oneof(
            fc.uint8Array({ maxLength: 30 }),
            fc.array(fc.uint8Array({ maxLength: 30 }), { maxLength: 20 }),
            fc.anything(),
          ),
          code: fc.oneof(fc.stringMatching(/^[0-9]{4,8}-[0-9]{4,8}$/), fc.string(), fc.anything()),
        }),
        (input) => {
          try {
            const r = crypto.searchOfflineCode(input as never);
            expect(typeof r.match).toBe('boolean');
          } catch (e) {
            expect(e).toBeInstanceOf(OffcodeCryptoError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('parseOfflineCode', () => {
  it('parses exactly two equal-length digit groups', () => {
    expect(parseOfflineCode('01234567-00000001')).toEqual({ length: 8, s0: 1234567, s1: 1 });
    expect(parseOfflineCode('0000-9999', 4)).toEqual({ length: 4, s0: 0, s1: 9999 });
    for (const bad of [
      '',
      '1234',
      '1234-',
      '-1234',
      '1234-1234-1234',
      ' 1234-1234',
      '１２３４-1234',
      '1234-123',
    ]) {
      expect(() => parseOfflineCode(bad)).toThrow(OffcodeCryptoError);
    }
  });
});

describe('backend selection', () => {
  it('picks wasm by default here and honours an explicit choice, whatever the environment says', () => {
    const saved = process.env.OFFCODE_CRYPTO_BACKEND;
    try {
      // The variable of earlier versions must not take part any more: only the caller chooses.
      process.env.OFFCODE_CRYPTO_BACKEND = 'noble';
      expect(getOffcodeCrypto().backend).toBe('wasm');
      expect(getOffcodeCrypto('auto').backend).toBe('wasm');
      expect(getOffcodeCrypto('noble').backend).toBe('noble');
      expect(getOffcodeCrypto('wasm').backend).toBe('wasm');
      process.env.OFFCODE_CRYPTO_BACKEND = 'fast';
      expect(getOffcodeCrypto().backend).toBe('wasm');
      expect(fieldOf(() => getOffcodeCrypto('fast' as never))).toBe('backend');
    } finally {
      if (saved === undefined) delete process.env.OFFCODE_CRYPTO_BACKEND;
      else process.env.OFFCODE_CRYPTO_BACKEND = saved;
    }
  });
});

describe('automatic fallback', () => {
  it('auto picks noble when WebAssembly is missing', () => {
    const saved = globalThis.WebAssembly;
    try {
      // @ts-expect-error simulate an engine without WebAssembly (React Native's Hermes)
      delete globalThis.WebAssembly;
      expect(getOffcodeCrypto().backend).toBe('noble');
      expect(fieldOf(() => getOffcodeCrypto('wasm'))).toBe('backend');
    } finally {
      globalThis.WebAssembly = saved;
    }
  });
});
