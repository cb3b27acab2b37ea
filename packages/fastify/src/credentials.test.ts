import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCredentialChecker, parseBasic } from './credentials.js';

const basic = (s: string): string => `Basic ${Buffer.from(s, 'utf8').toString('base64')}`;

describe('integration credentials', () => {
  it('parseBasic', () => {
    expect(parseBasic(basic('a:b:c'))).toEqual({ token: 'a', secret: 'b:c' });
    expect(parseBasic(`basic  ${Buffer.from('t:').toString('base64')}`)).toEqual({ token: 't', secret: '' });
    expect(parseBasic(basic('no-colon'))).toBeNull();
    expect(parseBasic('Bearer abc')).toBeNull();
    expect(parseBasic('Basic !!!')).toBeNull();
    expect(parseBasic(undefined)).toBeNull();
  });

  it('accepts exactly the configured pairs', () => {
    const checker = createCredentialChecker([
      { token: 'app', secret: 's3cret' },
      { token: 'ops', secret: 'pä$$' },
    ]);
    expect(checker.enabled).toBe(true);
    expect(checker.check(basic('app:s3cret'))).toBe(true);
    expect(checker.check(basic('ops:pä$$'))).toBe(true);
    for (const bad of [
      basic('app:s3cre'),
      basic('app:s3cret '),
      basic('ops:s3cret'),
      basic(':'),
      basic('app'),
      undefined,
      '',
    ]) {
      expect(checker.check(bad)).toBe(false);
    }
  });

  it('disabled without pairs (everything passes)', () => {
    const checker = createCredentialChecker([]);
    expect(checker.enabled).toBe(false);
    expect(checker.check(undefined)).toBe(true);
  });

  it('property: a header never authenticates unless it carries a configured pair', () => {
    const checker = createCredentialChecker([{ token: 'app', secret: 's3cret' }]);
    fc.assert(
      fc.property(fc.string(), fc.string(), (token, secret) => {
        expect(checker.check(basic(`${token}:${secret}`))).toBe(token === 'app' && secret === 's3cret');
      }),
    );
  });
});
