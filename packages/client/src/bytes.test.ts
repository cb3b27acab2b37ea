import { describe, expect, it } from 'vitest';
import { bytesEqual, zeroize } from './bytes.js';

describe('key hygiene helpers', () => {
  it('bytesEqual compares length and every byte', () => {
    expect(bytesEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false);
    expect(bytesEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });

  it('zeroize overwrites every buffer it is given and skips null', () => {
    const a = Uint8Array.of(1, 2, 3);
    const b = Uint8Array.of(9);
    zeroize(a, null, undefined, b);
    expect([...a, ...b]).toEqual([0, 0, 0, 0]);
  });
});
