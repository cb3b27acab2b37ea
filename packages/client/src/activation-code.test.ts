import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc16Arc, encodeActivationCode, normalizeActivationCode } from './activation-code.js';
import { OffcodeClientError } from './errors.js';

describe('activation codes', () => {
  it('CRC-16/ARC check value', () => {
    expect(crc16Arc(new TextEncoder().encode('123456789'))).toBe(0xbb3d);
  });

  it('round-trips and upper-cases (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 10, maxLength: 10 }), (bytes) => {
        const code = encodeActivationCode(bytes);
        expect(code).toMatch(/^[A-Z2-7]{5}(-[A-Z2-7]{5}){3}$/);
        expect(normalizeActivationCode(code)).toBe(code);
        expect(normalizeActivationCode(code.toLowerCase())).toBe(code);
      }),
    );
  });

  it('refuses typos, shapes and non-strings with INVALID_INPUT', () => {
    const good = encodeActivationCode(new Uint8Array(10).fill(7));
    const typo = (good[0] === 'A' ? 'B' : 'A') + good.slice(1);
    for (const bad of [
      typo,
      good.replaceAll('-', ''),
      `${good}-AAAAA`,
      good.replace(/.$/, '1'),
      '',
      42,
      null,
    ]) {
      expect(() => normalizeActivationCode(bad)).toThrowError(OffcodeClientError);
    }
  });

  it('never throws anything but INVALID_INPUT (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          normalizeActivationCode(s);
        } catch (e) {
          expect((e as OffcodeClientError).code).toBe('INVALID_INPUT');
        }
      }),
    );
  });
});
