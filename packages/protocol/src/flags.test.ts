import { describe, expect, it } from 'vitest';
import { buildFlags, parseFlags } from './flags.js';

describe('flags', () => {
  it('parses by membership: order, duplicates and unknown letters do not matter', () => {
    expect(parseFlags('')).toEqual({
      biometricsAllowed: false,
      flipButtons: false,
      fraudWarning: false,
      blockWhenOnCall: false,
    });
    expect(parseFlags('XFCB')).toEqual({
      biometricsAllowed: true,
      flipButtons: true,
      fraudWarning: true,
      blockWhenOnCall: true,
    });
    expect(parseFlags('bxfc')).toEqual({
      biometricsAllowed: false,
      flipButtons: false,
      fraudWarning: false,
      blockWhenOnCall: false,
    });
    expect(parseFlags('BBZ?').biometricsAllowed).toBe(true);
  });

  it('builds in the order B, C, F, X and round-trips', () => {
    expect(buildFlags({})).toBe('');
    expect(buildFlags({ flipButtons: true, biometricsAllowed: true })).toBe('BX');
    expect(
      buildFlags({ flipButtons: true, fraudWarning: true, blockWhenOnCall: true, biometricsAllowed: true }),
    ).toBe('BCFX');
    expect(buildFlags({ fraudWarning: false })).toBe('');
    for (let mask = 0; mask < 16; mask++) {
      const flags = {
        biometricsAllowed: (mask & 1) !== 0,
        flipButtons: (mask & 2) !== 0,
        fraudWarning: (mask & 4) !== 0,
        blockWhenOnCall: (mask & 8) !== 0,
      };
      expect(parseFlags(buildFlags(flags))).toEqual(flags);
    }
  });
});
