import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8WithoutTextDecoder } from './utf8-fallback.js';

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const reference = (b: Uint8Array): string | null => {
  try {
    return fatal.decode(b);
  } catch {
    return null;
  }
};

describe('strict UTF-8 decoder (no TextDecoder)', () => {
  it('agrees with TextDecoder fatal on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(decodeUtf8WithoutTextDecoder(b)).toBe(reference(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips every string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(decodeUtf8WithoutTextDecoder(new TextEncoder().encode(s))).toBe(s);
      }),
    );
  });

  it.each([
    ['overlong slash', [0xc0, 0xaf]],
    ['overlong 3-byte', [0xe0, 0x80, 0xaf]],
    ['surrogate', [0xed, 0xa0, 0x80]],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['truncated', [0xe2, 0x82]],
    ['lone continuation', [0x80]],
  ])('refuses %s', (_n, bytes) => {
    expect(decodeUtf8WithoutTextDecoder(Uint8Array.from(bytes))).toBeNull();
  });

  it('keeps a BOM and decodes long input', () => {
    expect(decodeUtf8WithoutTextDecoder(Uint8Array.from([0xef, 0xbb, 0xbf, 0x41]))).toBe('\ufeffA');
    const long = 'žluťoučký kůň '.repeat(2000);
    expect(decodeUtf8WithoutTextDecoder(new TextEncoder().encode(long))).toBe(long);
  });
});
