import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  contentKey,
  formatLockContent,
  type LockContent,
  parseLockContent,
  safeHostname,
} from './content.js';

const content: fc.Arbitrary<LockContent> = fc.record({
  pid: fc.integer({ min: 1, max: 4_194_304 }),
  nonce: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex')),
  acquiredAt: fc
    .date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2999-12-31T23:59:59Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString()),
  hostname: fc.string({ minLength: 1, maxLength: 60 }),
  identity: fc.option(
    fc.tuple(fc.uuid(), fc.bigInt({ min: 0n, max: 2n ** 63n })).map(([b, t]) => `linux:${b}:${t}`),
    { nil: null },
  ),
});

describe('lock line', () => {
  it('round-trips: parse(format(c)) is c with a sanitized host name', () => {
    fc.assert(
      fc.property(content, (c) => {
        expect(parseLockContent(formatLockContent(c))).toEqual({ ...c, hostname: safeHostname(c.hostname) });
      }),
    );
  });

  it('never throws, and accepts only the exact canonical form', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const parsed = parseLockContent(text);
        if (parsed !== null) expect(formatLockContent(parsed)).toBe(text);
      }),
    );
  });

  it('refuses empty, torn and foreign lines', () => {
    const good = `42 ${'a'.repeat(32)} 2026-01-02T03:04:05.678Z host\n`;
    expect(parseLockContent(good)).not.toBeNull();
    for (const bad of [
      '',
      good.slice(0, -1), // no newline: torn
      good.slice(0, 20),
      `0 ${'a'.repeat(32)} 2026-01-02T03:04:05.678Z host\n`,
      `42 ${'A'.repeat(32)} 2026-01-02T03:04:05.678Z host\n`,
      `42 ${'a'.repeat(32)} 2026-13-02T03:04:05.678Z host\n`,
      `42 ${'a'.repeat(32)} 2026-01-02T03:04:05.678Z host extra words\n`,
      `42 ${'a'.repeat(32)} 2026-01-02T03:04:05.678Z host linux:x\n`,
      '12345 2025-01-01T00:00:00.000Z myhost\n', // pre-nonce format
      `${good}${good}`,
    ]) {
      expect(parseLockContent(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it('host names become one printable token', () => {
    expect(safeHostname('my host\n')).toBe('my_host_');
    expect(safeHostname('')).toBe('_');
    expect(safeHostname('příliš')).toBe('p__li_');
  });

  it('the key names the exact content', () => {
    const a = `42 ${'a'.repeat(32)} 2026-01-02T03:04:05.678Z host\n`;
    expect(contentKey(a)).toMatch(/^[0-9a-f]{32}$/);
    expect(contentKey(a)).toBe(contentKey(a));
    expect(contentKey(a)).not.toBe(contentKey(a.replace('42', '43')));
    expect(contentKey('')).toMatch(/^[0-9a-f]{32}$/);
  });
});
