import { describe, expect, it } from 'vitest';
import { hex } from '../test/vectors.js';
import {
  formatCodeForDisplay,
  formatDecimalCode,
  isDecimalCode,
  normalizeCodeInput,
  parseDecimalCode,
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

describe('decimal codes', () => {
  it('formats components like crypto.md section 13 (last 4 bytes, mask, mod 10^L)', () => {
    const c0 = hex('f5f18cfb8d76254fc23d37e461f9ec0823b66e8c7c0459439c22f2f58ad38907');
    const c1 = hex('8dc30df1e190234d29ed3c5ecf9a3deed2bd77ff518430fddee326ffb5b9f4e5');
    expect(formatDecimalCode([c0, c1])).toBe('81635335-01379301');
    expect(formatDecimalCode([c0, c1], 4)).toBe('5335-9301');
    expect(reasonOf(() => formatDecimalCode([c0], 9))).toBe('INVALID_COMPONENT_LENGTH');
    expect(reasonOf(() => formatDecimalCode([c0.subarray(1)]))).toBe('INVALID_COMPONENT_LENGTH');
  });

  it('parses the submission form strictly', () => {
    expect(parseDecimalCode('01379301-81635335')).toEqual({
      componentLength: 8,
      groups: ['01379301', '81635335'],
    });
    expect(parseDecimalCode('1234-5678', { componentLength: 4 }).groups).toEqual(['1234', '5678']);
    expect(reasonOf(() => parseDecimalCode(''))).toBe('CODE_EMPTY');
    expect(reasonOf(() => parseDecimalCode('1234 5678-12345678'))).toBe('CODE_INVALID_CHARACTER');
    expect(reasonOf(() => parseDecimalCode('1234-5678-9012-3456'))).toBe('CODE_WRONG_LENGTH');
    expect(reasonOf(() => parseDecimalCode('12345678-1234567'))).toBe('CODE_WRONG_LENGTH');
    expect(isDecimalCode('12345678-12345678')).toBe(true);
    expect(isDecimalCode('12345678')).toBe(false);
    expect(isDecimalCode('12345678', { components: 1 })).toBe(true);
    expect(() => isDecimalCode('1', { componentLength: 3 })).toThrowError(PayloadFormatError);
  });
});

describe('display and entry', () => {
  it('groups 8-8 codes as 4x4 and leaves other shapes alone', () => {
    expect(formatCodeForDisplay('00012345-00000001')).toBe('0001-2345-0000-0001');
    expect(formatCodeForDisplay('123456-789012')).toBe('123456-789012');
    expect(formatCodeForDisplay('garbage')).toBe('garbage');
  });

  it('normalizes typed input and names the first bad character and its position', () => {
    expect(normalizeCodeInput('\t 1234 5678 - 9012 3456 \r\n')).toBe('12345678-90123456');
    expect(normalizeCodeInput('12 34 5678 9012', { componentLength: 4, components: 3 })).toBe(
      '1234-5678-9012',
    );
    try {
      normalizeCodeInput('  1234–5678');
      expect.unreachable();
    } catch (e) {
      expect((e as PayloadFormatError).reason).toBe('CODE_INVALID_CHARACTER');
      expect((e as PayloadFormatError).message).toBe('character "–" at position 7 is not a digit');
    }
    try {
      normalizeCodeInput('1234');
      expect.unreachable();
    } catch (e) {
      expect((e as PayloadFormatError).message).toBe('enter 16 digits');
    }
    expect(reasonOf(() => normalizeCodeInput('1\t2'))).toBe('CODE_INVALID_CHARACTER');
    expect(reasonOf(() => normalizeCodeInput('1234', { componentLength: 9 }))).toBe(
      'INVALID_COMPONENT_LENGTH',
    );
    expect(reasonOf(() => normalizeCodeInput('1234', { components: 4 }))).toBe('INVALID_COMPONENT_LENGTH');
    expect(reasonOf(() => normalizeCodeInput(undefined as unknown as string))).toBe('CODE_EMPTY');
  });
});
