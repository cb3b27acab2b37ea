import { describe, expect, it } from 'vitest';
import { zeroize } from './bytes.js';

describe('key hygiene helpers', () => {
  it('zeroize overwrites every buffer it is given and skips null', () => {
    const a = Uint8Array.of(1, 2, 3);
    const b = Uint8Array.of(9);
    zeroize(a, null, undefined, b);
    expect([...a, ...b]).toEqual([0, 0, 0, 0]);
  });
});
