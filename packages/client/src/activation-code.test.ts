// The format itself is tested in @offcode/protocol (src/activation-code.test.ts); these tests hold the
// client's side of it: the same codes, and OffcodeClientError INVALID_INPUT as the only error.
import { encodeActivationCode as protocolEncode } from '@offcode/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeActivationCode, normalizeActivationCode } from './activation-code.js';
import { OffcodeClientError } from './errors.js';

describe('activation codes', () => {
  it('round-trips and upper-cases (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 10, maxLength: 10 }), (bytes) => {
        const code = encodeActivationCode(bytes);
        expect(code).toBe(protocolEncode(bytes));
        expect(normalizeActivationCode(code)).toBe(code);
        expect(normalizeActivationCode(code.toLowerCase())).toBe(code);
      }),
    );
  });

  it('refuses typos, shapes, non-strings and wrong byte counts with INVALID_INPUT', () => {
    const good = encodeActivationCode(new Uint8Array(10).fill(7));
    const typo = (good[0] === 'A' ? 'B' : 'A') + good.slice(1);
    for (const bad of [
      typo,
      good.replaceAll('-', ''),
      `${good}-AAAAA`,
      good.replace(/.$/, '1'),
      good.replace('A', 'ı'),
      '',
      42,
      null,
    ]) {
      expect(() => normalizeActivationCode(bad)).toThrowError(OffcodeClientError);
    }
    for (const bad of [new Uint8Array(9), new Uint8Array(11)]) {
      expect(() => encodeActivationCode(bad)).toThrowError(OffcodeClientError);
    }
    expect(() => normalizeActivationCode(typo)).toThrowError(/checksum does not match/);
  });

  it('never throws anything but INVALID_INPUT (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (s) => {
        try {
          normalizeActivationCode(s);
        } catch (e) {
          expect(e).toBeInstanceOf(OffcodeClientError);
          expect((e as OffcodeClientError).code).toBe('INVALID_INPUT');
        }
      }),
    );
  });
});
