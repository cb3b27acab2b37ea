import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBase64Strict,
  encodeBase64,
  isStrictBase64,
  isWellFormedString,
  utf8Decode,
  utf8Encode,
  utf8Length,
} from './base64.js';
import { ProtocolError } from './errors.js';

describe('strict Base64', () => {
  it('decodes canonical text and the empty string', () => {
    expect(Array.from(decodeBase64Strict('AA=='))).toEqual([0]);
    expect(Array.from(decodeBase64Strict('AAE='))).toEqual([0, 1]);
    expect(Array.from(decodeBase64Strict('AAEC'))).toEqual([0, 1, 2]);
    expect(decodeBase64Strict('').length).toBe(0);
    expect(Array.from(decodeBase64Strict('+/+/'))).toEqual([0xfb, 0xff, 0xbf]);
  });

  it.each([
    ['AB==', 'non-zero unused bits (2 pad)'],
    ['AAF=', 'non-zero unused bits (1 pad)'],
    ['AA', 'missing padding'],
    ['AA=', 'partial padding'],
    ['AA===', 'extra padding'],
    ['AA==AA==', 'padding in the middle'],
    ['A===', 'three pad characters'],
    ['=AAA', 'padding first'],
    ['-_8=', 'URL-safe alphabet'],
    ['AA A', 'space'],
    ['AAAA\n', 'line feed'],
    [' AAAA', 'leading space'],
    ['AA\tA', 'tab'],
    ['ÀAAA', 'non-ASCII'],
    ['AAA', 'length not multiple of 4'],
  ])('rejects %j (%s)', (text) => {
    expect(isStrictBase64(text)).toBe(false);
    expect(() => decodeBase64Strict(text, 'nonce')).toThrowError(ProtocolError);
    try {
      decodeBase64Strict(text, 'nonce');
    } catch (e) {
      expect((e as ProtocolError).code).toBe('INVALID_BASE64');
      expect((e as ProtocolError).field).toBe('nonce');
      expect((e as ProtocolError).message).not.toContain(text.trim() || '\u0000');
    }
  });

  it('checks the decoded length', () => {
    expect(isStrictBase64('AAAA', 3)).toBe(true);
    expect(isStrictBase64('AAAA', 16)).toBe(false);
    try {
      decodeBase64Strict('AAAA', 'counter', 16);
      expect.unreachable();
    } catch (e) {
      expect((e as ProtocolError).code).toBe('INVALID_LENGTH');
      expect((e as ProtocolError).field).toBe('counter');
    }
  });

  it('non-string input is not Base64', () => {
    expect(isStrictBase64(undefined as unknown as string)).toBe(false);
    expect(() => decodeBase64Strict(42 as unknown as string)).toThrowError(ProtocolError);
  });

  it('round-trips and matches Buffer on canonical text (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const text = encodeBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(Array.from(decodeBase64Strict(text))).toEqual(Array.from(bytes));
      }),
    );
  });

  it('accepts exactly the strings that re-encode to themselves (property)', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n';
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 16 }), (text) => {
        const canonical = /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0;
        const roundTrips =
          canonical && Buffer.from(Buffer.from(text, 'base64').toString('base64')).toString() === text;
        expect(isStrictBase64(text)).toBe(roundTrips);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('strict UTF-8', () => {
  it('encodes and decodes well-formed text', () => {
    const s = 'Příliš 🙂 \uFEFF';
    expect(utf8Decode(utf8Encode(s))).toBe(s);
    expect(utf8Length(s)).toBe(utf8Encode(s).length);
  });

  it('refuses lone surrogates instead of replacing them', () => {
    expect(isWellFormedString('a\uD800b')).toBe(false);
    expect(isWellFormedString('a\uDC00')).toBe(false);
    expect(isWellFormedString('\uD83D\uDE42')).toBe(true);
    expect(() => utf8Encode('x\uD800')).toThrowError(ProtocolError);
  });

  it('refuses malformed UTF-8 and keeps a BOM', () => {
    expect(() => utf8Decode(new Uint8Array([0xc0, 0x80]))).toThrowError(ProtocolError); // overlong NUL
    expect(() => utf8Decode(new Uint8Array([0xed, 0xa0, 0x80]))).toThrowError(ProtocolError); // surrogate
    expect(() => utf8Decode(new Uint8Array([0xe2, 0x82]))).toThrowError(ProtocolError); // truncated
    expect(utf8Decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))).toBe('\uFEFFA');
  });

  it('utf8Length equals the encoded length (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
      }),
    );
  });
});
