import { describe, expect, it } from 'vitest';
import { SUITE } from '../../test/suites.js';
import { b64, EXAMPLE, readJsonVector } from '../../test/vectors.js';
import { encodeBase64 } from '../base64.js';
import { ProtocolError } from '../errors.js';
import { generateCounterData, nextCounterData } from './counter.js';

describe('counter data', () => {
  it('generates 16 / 32 random bytes', () => {
    expect(generateCounterData(3).length).toBe(16);
    expect(generateCounterData(4).length).toBe(32);
    expect(encodeBase64(generateCounterData(4))).not.toBe(encodeBase64(generateCounterData(4)));
    expect(() => generateCounterData(5 as 3)).toThrowError(ProtocolError);
  });

  it('advances like crypto.md 13/14 and the V4 counter vectors', () => {
    expect(encodeBase64(nextCounterData(SUITE, 3, b64(EXAMPLE.v3.counter)))).toBe('orZ9RZH55L6aCgIj3RVReA==');
    expect(encodeBase64(nextCounterData(SUITE, 4, b64(EXAMPLE.v4.counter)))).toBe(
      'JXPZhQyLmR6FT5d+wjRuXz69wfQfuzRx+W76/Gom9AM=',
    );
    const chains = readJsonVector<{ hash_based_counter_test_vectors: Record<string, string>[] }>(
      'v4/Hash_Based_Counter_Test_Vectors.json',
    ).hash_based_counter_test_vectors;
    const chain = chains[0]!;
    expect(encodeBase64(nextCounterData(SUITE, 4, b64(chain['ctrData[0]']!)))).toBe(chain['ctrData[1]']);
  });
});
