import { describe, expect, it } from 'vitest';
import { nobleSuiteOf, SUITE, suiteOf } from '../test/suites.js';
import { EXAMPLE, hex, type TotpRow, utf8, vectorSources } from '../test/vectors.js';
import { ProtocolError } from './errors.js';
import { type TotpAlgorithm, totp, totpCandidates } from './totp.js';

// v4/data.csv (../shared/vectors; skipped with one line where missing) and its regression twin (always).
const totpSources = vectorSources<{ rows: TotpRow[] }>('v4/data.csv');
const ALGORITHMS: Record<string, TotpAlgorithm> = {
  HmacSHA1: 'SHA-1',
  HmacSHA256: 'SHA-256',
  HmacSHA512: 'SHA-512',
};
/** Rows per HMAC: the published file has SHA-256 and SHA-512 rows, the regression file all three. */
const EXPECTED_ROWS = {
  published: { HmacSHA256: 6, HmacSHA512: 6 },
  regression: { HmacSHA1: 8, HmacSHA256: 8, HmacSHA512: 8 },
};

describe.each([
  ['wasm', suiteOf('auto')],
  ['noble', nobleSuiteOf('auto')],
] as const)('TOTP vectors on the %s engine', (_, suite) => {
  for (const src of totpSources) {
    it.skipIf(!src.available)(`replays every row of ${src.source} ${src.file} with its HMAC`, () => {
      const { rows } = src.load();
      const counts: Record<string, number> = {};
      for (const r of rows) counts[r.algorithm] = (counts[r.algorithm] ?? 0) + 1;
      expect(counts).toEqual(EXPECTED_ROWS[src.source]);
      for (const r of rows) {
        const algorithm = ALGORITHMS[r.algorithm];
        expect(algorithm, r.algorithm).toBeDefined();
        expect(totp(suite, hex(r.seed), r.time, { step: 30, digits: 8, algorithm: algorithm! })).toBe(r.totp);
      }
    });
  }
});

describe('TOTP (RFC 6238)', () => {
  it('defaults to SHA-256, 8 digits, 30 s steps; crypto.md 9 extra KAT', () => {
    expect(totp(SUITE, utf8('12345678901234567890123456789012'), 59)).toBe('46119246');
    expect(totp(SUITE, utf8('12345678901234567890'), 1682558789, { step: 30, digits: 8 })).toBe('01760428');
    // RFC 6238 appendix B, SHA-1 row for t = 59.
    expect(totp(SUITE, utf8('12345678901234567890'), 59, { algorithm: 'SHA-1' })).toBe('94287082');
  });

  it('reproduces crypto.md section 14 (now, now-30, now-60)', () => {
    const seed = hex(EXAMPLE.v4.totpSeedHex);
    expect(totp(SUITE, seed, EXAMPLE.v4.now, { step: 30 })).toBe('23226405');
    expect(totpCandidates(SUITE, seed, EXAMPLE.v4.now, 30, 2)).toEqual(['23226405', '32460824', '34372238']);
    expect(totp(SUITE, seed, EXAMPLE.v4.now, { digits: 6 })).toBe('226405');
  });

  it('refuses bad options with typed errors', () => {
    const seed = new Uint8Array(16);
    expect(() => totp(SUITE, new Uint8Array(0), 1)).toThrowError(ProtocolError);
    expect(() => totp(SUITE, seed, -1)).toThrowError(ProtocolError);
    expect(() => totp(SUITE, seed, Number.NaN)).toThrowError(ProtocolError);
    expect(() => totp(SUITE, seed, 1, { step: 0 })).toThrowError(ProtocolError);
    expect(() => totp(SUITE, seed, 1, { digits: 9 })).toThrowError(ProtocolError);
    expect(() => totp(SUITE, seed, 1, { algorithm: 'MD5' as 'SHA-1' })).toThrowError(ProtocolError);
    expect(() => totpCandidates(SUITE, seed, 1, 30, -1)).toThrowError(ProtocolError);
  });
});
