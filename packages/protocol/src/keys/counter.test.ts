import { describe, expect, it } from 'vitest';
import { nobleSuiteOf, SUITE, suiteOf } from '../../test/suites.js';
import { b64, EXAMPLE, vectorSources } from '../../test/vectors.js';
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

  it('advances like crypto.md 13/14', () => {
    expect(encodeBase64(nextCounterData(SUITE, 3, b64(EXAMPLE.v3.counter)))).toBe('orZ9RZH55L6aCgIj3RVReA==');
    expect(encodeBase64(nextCounterData(SUITE, 4, b64(EXAMPLE.v4.counter)))).toBe(
      'JXPZhQyLmR6FT5d+wjRuXz69wfQfuzRx+W76/Gom9AM=',
    );
  });
});

// The published chains (../shared/vectors; skipped with one line where missing) and their regression twin.
const chainSources = vectorSources<{ hash_based_counter_test_vectors: Record<string, string>[] }>(
  'v4/Hash_Based_Counter_Test_Vectors.json',
);

describe.each([
  ['wasm', suiteOf('auto')],
  ['noble', nobleSuiteOf('auto')],
] as const)('V4 counter chains on the %s engine', (_, suite) => {
  for (const src of chainSources) {
    it.skipIf(!src.available)(`follows every link of ${src.source} ${src.file}`, () => {
      const chains = src.load().hash_based_counter_test_vectors;
      expect(chains.length).toBe(10);
      for (const chain of chains) {
        for (let k = 0; k < 20; k++) {
          const next = nextCounterData(suite, 4, b64(chain[`ctrData[${k}]`]!));
          expect(encodeBase64(next)).toBe(chain[`ctrData[${k + 1}]`]);
        }
      }
    });
  }
});
