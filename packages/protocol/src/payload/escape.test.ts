import { describe, expect, it } from 'vitest';
import { PayloadFormatError } from '../errors.js';
import { escapeText, unescapeText } from './escape.js';

describe('escapeText (issuer side)', () => {
  it('applies the five steps in order', () => {
    expect(escapeText('a\\b')).toBe('a\\\\b');
    expect(escapeText('1\r\n2\r3\n4')).toBe('1\\n2\\n3\\n4');
    expect(escapeText('a\tb\u000bc\u000cd')).toBe('a b c d');
    expect(escapeText('x\u0000y\u001fz\u007f')).toBe('xyz');
    expect(escapeText('a  \t b')).toBe('a b');
    expect(escapeText(' keep edges ')).toBe(' keep edges ');
    // A removed control character between spaces leaves one space.
    expect(escapeText('a \u0007 b')).toBe('a b');
    // A line break between spaces is kept (it is no longer a space when runs are collapsed).
    expect(escapeText('a \n b')).toBe('a \\n b');
  });

  it('keeps all-caps values, asterisks, Unicode and C1 controls', () => {
    expect(escapeText('PAYMENT')).toBe('PAYMENT');
    expect(escapeText('CZ123')).toBe('CZ123');
    expect(escapeText('ID3343432434')).toBe('ID3343432434');
    expect(escapeText('*')).toBe('*');
    expect(escapeText('\u0085\u00a0🙂')).toBe('\u0085\u00a0🙂');
  });

  it('refuses non-strings and lone surrogates with INVALID_TEXT', () => {
    for (const bad of [null, 1, undefined, 'a\uD800']) {
      try {
        escapeText(bad as string);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(PayloadFormatError);
        expect((e as PayloadFormatError).reason).toBe('INVALID_TEXT');
      }
    }
  });
});

describe('unescapeText (token side, single pass)', () => {
  it('handles the payload.md 2.3 examples', () => {
    expect(unescapeText('Hello\\nWorld\\\\xyz\\*')).toBe('Hello\nWorld\\xyz\\*');
    expect(unescapeText('C:\\\\new')).toBe('C:\\new');
    expect(unescapeText('\\\\n')).toBe('\\n');
    expect(unescapeText('end\\')).toBe('end\\');
    expect(unescapeText('\\q')).toBe('\\q');
  });
});
