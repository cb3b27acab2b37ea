import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hex } from '../test/vectors.js';
import {
  formatCodeForDisplay,
  formatDecimalCode,
  normalizeTypedCode,
  parseSubmittedCode,
  SUBMITTED_CODE_PATTERN,
} from './code.js';
import { PayloadFormatError } from './errors.js';

function reasonOf(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (e) {
    if (e instanceof PayloadFormatError) return e.reason;
    throw e;
  }
}

const digitString = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });

describe('decimal codes', () => {
  it('formats components like crypto.md section 13 (last 4 bytes, mask, mod 10^L)', () => {
    const c0 = hex('f5f18cfb8d76254fc23d37e461f9ec0823b66e8c7c0459439c22f2f58ad38907');
    const c1 = hex('8dc30df1e190234d29ed3c5ecf9a3deed2bd77ff518430fddee326ffb5b9f4e5');
    expect(formatDecimalCode([c0, c1])).toBe('81635335-01379301');
    expect(formatDecimalCode([c0, c1], 4)).toBe('5335-9301');
    expect(reasonOf(() => formatDecimalCode([c0], 9))).toBe('INVALID_COMPONENT_LENGTH');
    expect(reasonOf(() => formatDecimalCode([c0.subarray(1)]))).toBe('INVALID_COMPONENT_LENGTH');
  });
});

describe('parseSubmittedCode: the one shape decision', () => {
  it('gives the digits per factor of exactly the asked shape', () => {
    expect(parseSubmittedCode('01379301-81635335')).toEqual({
      ok: true,
      code: '01379301-81635335',
      components: ['01379301', '81635335'],
    });
    expect(parseSubmittedCode('1234-5678', { componentLength: 4 })).toMatchObject({
      ok: true,
      components: ['1234', '5678'],
    });
    expect(parseSubmittedCode('12345678', { factorCount: 1 })).toMatchObject({ ok: true });
  });

  it('tells a malformed text (not PowerAuth wire form) from a well-formed code of another shape', () => {
    const rejection = (code: unknown, shape = {}) => {
      const r = parseSubmittedCode(code, shape);
      return r.ok ? 'OK' : `${r.reason}/${r.wellFormed ? 'well-formed' : 'malformed'}`;
    };
    expect(rejection('')).toBe('CODE_EMPTY/malformed');
    expect(rejection(12345678)).toBe('CODE_EMPTY/malformed');
    expect(rejection('1234 5678-12345678')).toBe('CODE_INVALID_CHARACTER/malformed');
    expect(rejection('１２３４-5678')).toBe('CODE_INVALID_CHARACTER/malformed');
    expect(rejection('1234-5678-9012-3456')).toBe('CODE_WRONG_LENGTH/malformed');
    expect(rejection('123-456')).toBe('CODE_WRONG_LENGTH/malformed');
    expect(rejection('12345678-1234567')).toBe('CODE_WRONG_LENGTH/well-formed');
    expect(rejection('12345678')).toBe('CODE_WRONG_LENGTH/well-formed');
    expect(rejection('1234-5678-9012')).toBe('CODE_WRONG_LENGTH/well-formed');
    expect(rejection('1234-5678')).toBe('CODE_WRONG_LENGTH/well-formed');
    expect(() => parseSubmittedCode('1', { componentLength: 3 })).toThrowError(PayloadFormatError);
    expect(() => parseSubmittedCode('1', { factorCount: 4 })).toThrowError(PayloadFormatError);
  });

  it('property: well-formed exactly when the wire pattern matches; ok exactly for the asked shape', () => {
    const wire = new RegExp(SUBMITTED_CODE_PATTERN);
    const codeLike = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'0123456789- x'), maxLength: 30 }),
      fc
        .array(fc.integer({ min: 1, max: 9 }).chain(digitString), { minLength: 1, maxLength: 4 })
        .map((groups) => groups.join('-')),
    );
    fc.assert(
      fc.property(codeLike, fc.integer({ min: 4, max: 8 }), fc.integer({ min: 1, max: 3 }), (code, L, n) => {
        const r = parseSubmittedCode(code, { componentLength: L, factorCount: n });
        const exact = new RegExp(`^[0-9]{${L}}(-[0-9]{${L}}){${n - 1}}$`).test(code);
        expect(r.ok).toBe(exact);
        if (!r.ok) expect(r.wellFormed).toBe(wire.test(code));
        else expect(r.components.join('-')).toBe(code);
      }),
    );
  });
});

describe('display and entry', () => {
  it('groups 8-8 codes as 4x4 and leaves other shapes alone', () => {
    expect(formatCodeForDisplay('00012345-00000001')).toBe('0001-2345-0000-0001');
    expect(formatCodeForDisplay('123456-789012')).toBe('123456-789012');
    expect(formatCodeForDisplay('garbage')).toBe('garbage');
  });

  it('normalizes typed input and names the first bad character and its position', () => {
    expect(normalizeTypedCode('\t 1234 5678 - 9012 3456 \r\n')).toBe('12345678-90123456');
    expect(normalizeTypedCode('12 34 5678 9012', { componentLength: 4, factorCount: 3 })).toBe(
      '1234-5678-9012',
    );
    try {
      normalizeTypedCode('  1234–5678');
      expect.unreachable();
    } catch (e) {
      expect((e as PayloadFormatError).reason).toBe('CODE_INVALID_CHARACTER');
      expect((e as PayloadFormatError).message).toBe('character "–" at position 7 is not a digit');
      expect((e as PayloadFormatError).position).toBe(7);
    }
    try {
      normalizeTypedCode('1234');
      expect.unreachable();
    } catch (e) {
      expect((e as PayloadFormatError).message).toBe('enter 16 digits');
    }
    expect(reasonOf(() => normalizeTypedCode('1\t2'))).toBe('CODE_INVALID_CHARACTER');
    expect(reasonOf(() => normalizeTypedCode('1234', { componentLength: 9 }))).toBe(
      'INVALID_COMPONENT_LENGTH',
    );
    expect(reasonOf(() => normalizeTypedCode('1234', { factorCount: 4 }))).toBe('INVALID_COMPONENT_LENGTH');
    expect(reasonOf(() => normalizeTypedCode(undefined as unknown as string))).toBe('CODE_EMPTY');
  });

  it('takes the code as the token shows it and as users paste it (issue 12 item 2)', () => {
    for (const typed of [
      '8064-5777-7477-9172',
      '8064 5777 7477 9172',
      '80645777-74779172',
      '80645777 74779172',
      '8064577774779172',
      '  8064-5777-7477-9172\n',
      '8064\u00A05777\u00A07477\u00A09172',
      '8064\u202F5777\u202F7477\u202F9172',
      '8064\u20095777\u20097477\u20099172',
      '\u00A08064 5777-7477 9172\u2007',
    ]) {
      expect(normalizeTypedCode(typed), JSON.stringify(typed)).toBe('80645777-74779172');
    }
    // Decisions (payload.md 7): full-width digits, en dashes, tabs inside and letters stay refused.
    for (const typed of ['８０６４5777-74779172', '8064–5777–7477–9172', '8064\t5777', '8064-5777-7477-917O'])
      expect(
        reasonOf(() => normalizeTypedCode(typed)),
        JSON.stringify(typed),
      ).toBe('CODE_INVALID_CHARACTER');
  });

  it('property: every valid spelling of a code normalises to the same wire code', () => {
    const separator = fc.constantFrom('', ' ', '-', '  ', ' - ', '\u00A0', '\u202F', '\u2009', '\u2007');
    const outer = fc.constantFrom('', ' ', '\t', '\n', '\r\n', ' \t ', '\u00A0');
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 8 }),
        fc.integer({ min: 1, max: 3 }),
        fc.infiniteStream(separator),
        outer,
        outer,
        fc.integer({ min: 1, max: 8 }),
        (L, n, seps, before, after, chunk) => {
          const wire = Array.from({ length: n }, (_, i) =>
            String(i * 7 + L)
              .padStart(L, '0')
              .slice(-L),
          ).join('-');
          const digits = wire.replace(/-/g, '');
          let typed = '';
          const it = seps[Symbol.iterator]();
          for (let i = 0; i < digits.length; i += chunk)
            typed += digits.slice(i, i + chunk) + it.next().value;
          const shape = { componentLength: L, factorCount: n };
          expect(normalizeTypedCode(before + typed + after, shape)).toBe(wire);
          expect(parseSubmittedCode(normalizeTypedCode(before + typed + after, shape), shape).ok).toBe(true);
        },
      ),
    );
  });

  it('property: the normaliser throws nothing but PayloadFormatError, and its result is always the wire shape', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.string({ unit: fc.constantFrom(...'0123456789 -\u00A0x'), maxLength: 40 }),
        ),
        fc.integer({ min: 4, max: 8 }),
        (typed, L) => {
          try {
            const wire = normalizeTypedCode(typed, { componentLength: L });
            expect(parseSubmittedCode(wire, { componentLength: L }).ok).toBe(true);
          } catch (e) {
            expect(e).toBeInstanceOf(PayloadFormatError);
            expect((e as PayloadFormatError).kind).toBe('input');
          }
        },
      ),
    );
  });
});
