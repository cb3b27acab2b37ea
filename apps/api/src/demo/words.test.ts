import { describe, expect, it } from 'vitest';
import {
  ACTIVATION_STATUS_WORDS,
  activationStatusWords,
  blockedReasonWords,
  factorWords,
  localDateTime,
  utcDateTime,
} from './words.js';

describe('demo words', () => {
  it('every activation status has words, none of them the constant', () => {
    for (const status of ['CREATED', 'PENDING_COMMIT', 'ACTIVE', 'BLOCKED', 'REMOVED']) {
      const words = activationStatusWords(status);
      expect(words).toBe(ACTIVATION_STATUS_WORDS[status]);
      expect(words).not.toMatch(/[A-Z]{2,}/);
    }
    expect(activationStatusWords(null)).toBe('Not activated');
    expect(activationStatusWords('SOMETHING_NEW')).toBe('Unknown');
  });

  it('blocked reasons: known constants mapped, unknown constants hidden, staff text kept', () => {
    expect(blockedReasonWords('MAX_FAILED_ATTEMPTS')).toBe('too many wrong codes');
    expect(blockedReasonWords('FRAUD_SUSPECTED')).toBe('blocked by the bank');
    expect(blockedReasonWords('lost phone')).toBe('lost phone');
    expect(blockedReasonWords(null)).toBe('');
    expect(factorWords('POSSESSION_BIOMETRY')).toBe('biometry');
  });

  it('times: the reader locale and zone in the browser, a UTC fallback on the server', () => {
    const iso = '2026-12-07T11:30:05.123Z';
    expect(localDateTime(iso, 'de-DE', 'Europe/Berlin')).toBe('07.12.2026, 12:30:05');
    expect(localDateTime(iso, 'en-US', 'America/New_York')).toMatch(/^Dec 7, 2026, 6:30:05\s?AM$/);
    expect(utcDateTime(iso)).toBe('2026-12-07 11:30 UTC');
    expect(localDateTime('not a date')).toBe('not a date');
  });
});
