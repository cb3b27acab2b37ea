import { describe, expect, it } from 'vitest';
import { SUITE } from '../test/suites.js';
import { EXAMPLE, hex, readVector, utf8 } from '../test/vectors.js';
import { ProtocolError } from './errors.js';
import { totp, totpCandidates } from './totp.js';

const rows = readVector('v4/data.csv')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').map((cell) => cell.trim()))
  .map(([time, , , value, algorithm, seed]) => ({
    time: Number(time),
    value: value!,
    algorithm: algorithm!,
    seed: seed!,
  }));

describe('TOTP (RFC 6238)', () => {
  it('replays the HmacSHA256 rows of data.csv (the Offcode algorithm)', () => {
    const sha256Rows = rows.filter((r) => r.algorithm === 'HmacSHA256');
    expect(sha256Rows.length).toBe(6);
    for (const r of sha256Rows)
      expect(totp(SUITE, hex(r.seed), r.time, { step: 30, digits: 8 })).toBe(r.value);
  });

  it('replays the HmacSHA512 rows through the generic helper', () => {
    const sha512Rows = rows.filter((r) => r.algorithm === 'HmacSHA512');
    expect(sha512Rows.length).toBe(6);
    for (const r of sha512Rows) {
      expect(totp(SUITE, hex(r.seed), r.time, { step: 30, digits: 8, algorithm: 'SHA-512' })).toBe(r.value);
    }
  });

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
