import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasControlCharacter, isValidName, MAX_NAME_LENGTH } from './chars.js';

describe('the name rule', () => {
  it('accepts 1..255 code points without control characters', () => {
    expect(isValidName('a')).toBe(true);
    expect(isValidName('Mobile banking 🏦')).toBe(true);
    expect(isValidName('😀'.repeat(MAX_NAME_LENGTH))).toBe(true); // 255 code points, 510 UTF-16 units
    expect(isValidName('x'.repeat(MAX_NAME_LENGTH))).toBe(true);
  });

  it('refuses empty, too long, control characters, lone surrogates and non-strings', () => {
    for (const bad of [
      '',
      'x'.repeat(256),
      '😀'.repeat(256),
      'a\nb',
      'a\u0000',
      '\u007f',
      'a\ud800',
      42,
      null,
    ]) {
      expect(isValidName(bad)).toBe(false);
    }
  });

  it('property: a valid name is exactly a short string with no C0/DEL and no lone surrogate', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const codePoints = [...s].length;
        const wellFormed = !/\p{Surrogate}/u.test(s);
        const expected = codePoints >= 1 && codePoints <= 255 && wellFormed && !hasControlCharacter(s);
        expect(isValidName(s)).toBe(expected);
      }),
    );
  });
});
