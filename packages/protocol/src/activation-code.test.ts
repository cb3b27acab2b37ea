import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  crc16Arc,
  encodeActivationCode,
  generateActivationCode,
  parseActivationCode,
  parseActivationCodeOrThrow,
} from './activation-code.js';
import { ProtocolError } from './errors.js';

const SHAPE = /^[A-Z2-7]{5}(-[A-Z2-7]{5}){3}$/;
const ten = fc.uint8Array({ minLength: 10, maxLength: 10 });

/** Independent oracle: the 96 bits as one BigInt, 4 zero bits appended, read as twenty 5-bit digits. */
function oracle(random10: Uint8Array): string {
  let crc = 0;
  for (const b of random10) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  let n = 0n;
  for (const b of [...random10, crc >> 8, crc & 0xff]) n = (n << 8n) | BigInt(b);
  n <<= 4n;
  let text = '';
  for (let i = 19; i >= 0; i--)
    text += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[Number((n >> BigInt(5 * i)) & 31n)];
  return text.match(/.{5}/g)!.join('-');
}

/** The first code with `wanted`, over a fixed sequence of byte strings (deterministic). */
function findCode(wanted: (code: string) => boolean): string {
  let seed = 1;
  for (let i = 0; i < 100_000; i++) {
    const bytes = new Uint8Array(10).map(() => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    });
    const code = encodeActivationCode(bytes);
    if (wanted(code)) return code;
  }
  throw new Error('no such code in the sequence');
}

function thrown(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return e as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('activation codes (server.md §2.4)', () => {
  it('uses CRC-16/ARC (check value of "123456789" is 0xBB3D)', () => {
    expect(crc16Arc(new TextEncoder().encode('123456789'))).toBe(0xbb3d);
    expect(crc16Arc(new Uint8Array(0))).toBe(0);
    expect(thrown(() => crc16Arc([1, 2] as unknown as Uint8Array))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'bytes',
    });
  });

  it('encodes bytes ‖ CRC big-endian in Base32 (fixed bytes)', () => {
    // 10 zero bytes have CRC 0: twelve zero bytes → twenty "A".
    expect(encodeActivationCode(new Uint8Array(10))).toBe('AAAAA-AAAAA-AAAAA-AAAAA');
    expect(generateActivationCode(() => new Uint8Array(10))).toBe('AAAAA-AAAAA-AAAAA-AAAAA');
    const ones = generateActivationCode(() => new Uint8Array(10).fill(0xff));
    expect(ones).toBe(oracle(new Uint8Array(10).fill(0xff)));
    expect(parseActivationCode(ones)).toBe(ones);
  });

  it('matches the independent oracle, round-trips and upper-cases (property)', () => {
    fc.assert(
      fc.property(ten, (bytes) => {
        const code = encodeActivationCode(bytes);
        expect(code).toBe(oracle(bytes));
        expect(code).toMatch(SHAPE);
        expect(parseActivationCode(code)).toBe(code);
        expect(parseActivationCode(code.toLowerCase())).toBe(code);
        expect(parseActivationCodeOrThrow(code.toLowerCase())).toBe(code);
        expect(generateActivationCode(() => bytes.slice())).toBe(code);
      }),
    );
  });

  it('generates XXXXX-XXXXX-XXXXX-XXXXX codes from the CSPRNG that parse back', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const code = generateActivationCode();
      expect(code).toMatch(SHAPE);
      expect(parseActivationCode(code)).toBe(code);
      seen.add(code);
    }
    expect(seen.size).toBe(200);
  });

  it('needs exactly 10 random bytes (typed error naming the argument)', () => {
    for (const bad of [
      new Uint8Array(9),
      new Uint8Array(11),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      'abcdefghij',
    ]) {
      expect(thrown(() => encodeActivationCode(bad as Uint8Array))).toMatchObject({
        code: 'INVALID_LENGTH',
        field: 'random10',
      });
      expect(thrown(() => generateActivationCode(() => bad as Uint8Array))).toMatchObject({
        code: 'INVALID_LENGTH',
        field: 'random',
      });
    }
  });

  it('rejects any single-character change (CRC)', () => {
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
  });

  it('rejects malformed shapes, non-strings and a non-canonical last character', () => {
    const good = encodeActivationCode(new Uint8Array(10).fill(7));
    const typo = (good[0] === 'A' ? 'B' : 'A') + good.slice(1);
    for (const bad of [
      typo,
      '',
      'AAAAA-AAAAA-AAAAA-AAAA',
      'AAAAA-AAAAA-AAAAA-AAAA1',
      'AAAAAAAAAAAAAAAAAAAAAAA',
      'AAAAA_AAAAA-AAAAA-AAAAA',
      'AAAAA AAAAA AAAAA AAAAA',
      ' AAAAA-AAAAA-AAAAA-AAAAA',
      'AAAAA-AAAAA-AAAAA-AAAAA\n',
      good.replaceAll('-', ''),
      `${good}-AAAAA`,
      good.replace(/.$/, '1'),
      // All bytes zero, but the 4 unused bits of the last character set: same bytes, another text.
      'AAAAA-AAAAA-AAAAA-AAAAB',
      42,
      null,
      undefined,
      ['AAAAA-AAAAA-AAAAA-AAAAA'],
    ]) {
      expect(parseActivationCode(bad), String(bad)).toBeNull();
      expect(thrown(() => parseActivationCodeOrThrow(bad))).toMatchObject({
        code: 'INVALID_DATA',
        field: 'activationCode',
      });
    }
  });

  it('accepts ASCII lower case only: no other character that upper-cases into the alphabet', () => {
    // A plain toUpperCase would turn these into valid codes: ı → I and ſ → S keep the length, ß → SS and
    // ﬀ → FF change it.
    const lookalikes: [string, string][] = [
      ['I', 'ı'],
      ['S', 'ſ'],
      ['SS', 'ß'],
      ['FF', 'ﬀ'],
    ];
    for (const [ascii, other] of lookalikes) {
      const code = findCode((c) => c.includes(ascii));
      const bad = code.replace(ascii, other);
      expect(bad.toUpperCase()).toBe(code);
      expect(parseActivationCode(bad), bad).toBeNull();
      expect(parseActivationCode(bad.toLowerCase()), bad).toBeNull();
    }
  });

  it('names the failed rule, never the input', () => {
    const good = generateActivationCode();
    const typo = (good[0] === 'A' ? 'B' : 'A') + good.slice(1);
    const cases: [unknown, RegExp][] = [
      [42, /must be a string/],
      [good.replaceAll('-', ''), /four groups of five Base32 characters/],
      [typo, /checksum does not match/],
    ];
    for (const [input, message] of cases) {
      const e = thrown(() => parseActivationCodeOrThrow(input, 'code'));
      expect(e.field).toBe('code');
      expect(e.message).toMatch(/^code: /);
      expect(e.message).toMatch(message);
      expect(e.message).not.toContain(good.slice(5, 10));
    }
  });

  it('never throws on arbitrary input; the OrThrow form throws only ProtocolError INVALID_DATA', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string(), fc.stringMatching(/^[A-Za-z2-7-]{23}$/)), (x) => {
        expect(() => parseActivationCode(x)).not.toThrow();
        const parsed = parseActivationCode(x);
        try {
          expect(parseActivationCodeOrThrow(x)).toBe(parsed);
        } catch (e) {
          expect(parsed).toBeNull();
          expect(e).toBeInstanceOf(ProtocolError);
          expect((e as ProtocolError).code).toBe('INVALID_DATA');
        }
      }),
    );
  });
});
