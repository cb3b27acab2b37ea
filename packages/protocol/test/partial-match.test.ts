import { describe, expect, it } from 'vitest';
import { partialMismatch } from './partial-match.js';

describe('partialMismatch (conformance matching rule)', () => {
  it('matches present keys only, null included, arrays by length and element', () => {
    expect(partialMismatch({ a: 1, b: 2 }, { a: 1 })).toBeNull();
    expect(partialMismatch({ a: null }, { a: null })).toBeNull();
    expect(partialMismatch({ a: undefined }, { a: null })).not.toBeNull();
    expect(partialMismatch({}, { a: null })).not.toBeNull();
    expect(partialMismatch({ a: [1, 2] }, { a: [1] })).not.toBeNull();
    expect(partialMismatch({ a: [{ x: 1, y: 2 }] }, { a: [{ x: 1 }] })).toBeNull();
    expect(partialMismatch({ a: [{ x: 1 }] }, { a: [{ x: 2 }] })).toBe('$.a[0].x: 1 != 2');
    expect(partialMismatch('A1', 'A1')).toBeNull();
    expect(partialMismatch('A1', 'A2')).not.toBeNull();
  });
});
