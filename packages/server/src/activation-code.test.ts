import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc16Arc, generateActivationCode, parseActivationCode } from './activation-code.js';

describe('activation codes', () => {
  it('uses CRC-16/ARC (check value of "123456789" is 0xBB3D)', () => {
    expect(crc16Arc(new TextEncoder().encode('123456789'))).toBe(0xbb3d);
  });

  it('generates XXXXX-XXXXX-XXXXX-XXXXX codes that parse back', () => {
    for (let i = 0; i < 200; i++) {
      const code = generateActivationCode();
      expect(code).toMatch(/^[A-Z2-7]{5}(-[A-Z2-7]{5}){3}$/);
      expect(parseActivationCode(code)).toBe(code);
      expect(parseActivationCode(code.toLowerCase())).toBe(code);
    }
  });

  it('encodes bytes ‖ CRC big-endian in Base32 (fixed bytes)', () => {
    const bytes = new Uint8Array(10);
    const code = generateActivationCode(() => bytes);
    // 10 zero bytes have CRC 0: twelve zero bytes → twenty "A".
    expect(code).toBe('AAAAA-AAAAA-AAAAA-AAAAA');
    const ones = generateActivationCode(() => new Uint8Array(10).fill(0xff));
    expect(parseActivationCode(ones)).toBe(ones);
  });

  it('rejects any single-character change (CRC) and malformed shapes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 22 }),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'),
        (pos, ch) => {
          const code = generateActivationCode();
          if (code[pos] === '-' || code[pos] === ch) return;
          const changed = code.slice(0, pos) + ch + code.slice(pos + 1);
          expect(parseActivationCode(changed)).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
    for (const bad of [
      '',
      'AAAAA-AAAAA-AAAAA-AAAA',
      'AAAAA-AAAAA-AAAAA-AAAA1',
      'AAAAAAAAAAAAAAAAAAAAAAA',
      'AAAAA_AAAAA-AAAAA-AAAAA',
    ]) {
      expect(parseActivationCode(bad)).toBeNull();
    }
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        expect(() => parseActivationCode(x as string)).not.toThrow();
      }),
    );
  });
});
