import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backends, hex, toHex } from '../test/helpers.js';
import { OffcodeClientError } from './errors.js';
import { pinBytes, pinKek, unwrapKnowledgeKey, wrapKnowledgeKey } from './pin.js';

const enc = (s: string) => new TextEncoder().encode(s);

// crypto.md §13 / §14 key-wrapping KATs.
const V3 = {
  salt: hex('000102030405060708090a0b0c0d0e0f'),
  knowledge: hex('8631d64f2dc70379d074371d9c96d133'),
  kek: '9c7d536437e772396b5ed2eb627108f5',
  wrapped: '7a92937f7148d9882de305de1b90ff34',
  wrongPinKey: 'aace7e803acdcb844227b540798161c4',
};
const V4 = {
  salt: hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'),
  knowledge: hex('428a0231e26d401927c525f26a9927835c94ff831cd24be488bede6d3c5f20e6'),
  kek: '0dc0bdd574c2f25b18564edb85fdccc983344851122b809ef7f23dab2265a53d',
  wrapped: '4a36655593745eab897912689c27085f883401b6f4e7c8734f5b5001a4f77913',
  wrongPinKey: '08661bc77c573f338bd3fdcbd15dfb4edc7bef3e66b1173e540226624d6d5395',
};

describe.each(backends.map((e) => [e.backend, e] as const))('PIN wrapping KATs (%s)', (_name, engine) => {
  it('V3: PBKDF2-HMAC-SHA1 KEK and AES-128 wrap (crypto.md §13)', () => {
    expect(toHex(pinKek(engine, 3, enc('1234'), V3.salt))).toBe(V3.kek);
    const w = wrapKnowledgeKey(engine, 3, '1234', V3.salt, V3.knowledge);
    expect(w.scheme).toBe('v3-pbkdf2-aes128');
    expect(toHex(w.wrapped)).toBe(V3.wrapped);
    expect(toHex(unwrapKnowledgeKey(engine, 3, '1234', w))).toBe(toHex(V3.knowledge));
    expect(toHex(unwrapKnowledgeKey(engine, 3, '1235', w))).toBe(V3.wrongPinKey);
  });

  it('V4: KMAC "PA4PBKDF" KEK and AES-256-CTR wrap (crypto.md §14)', () => {
    expect(toHex(pinKek(engine, 4, enc('1234'), V4.salt))).toBe(V4.kek);
    const w = wrapKnowledgeKey(engine, 4, '1234', V4.salt, V4.knowledge);
    expect(w.scheme).toBe('v4-pa4pbkdf-aes256ctr');
    expect(toHex(w.wrapped)).toBe(V4.wrapped);
    expect(toHex(unwrapKnowledgeKey(engine, 4, '1234', w))).toBe(toHex(V4.knowledge));
    expect(toHex(unwrapKnowledgeKey(engine, 4, '1235', w))).toBe(V4.wrongPinKey);
  });
});

describe('PIN rules', () => {
  const engine = backends[0]!;

  it('accepts 4..64 characters as UTF-8 without normalisation', () => {
    expect(pinBytes('1234')).toEqual(enc('1234'));
    expect(pinBytes('é'.repeat(4))).toEqual(enc('éééé'));
    expect(pinBytes('x'.repeat(64)).length).toBe(64);
    // NFC and NFD forms are different PINs.
    expect(pinBytes('e\u0301e\u0301')).not.toEqual(pinBytes('\u00e9\u00e9\u00e9\u00e9'));
  });

  it.each([['123'], ['x'.repeat(65)], [''], [1234], [null], ['12\ud80034']])(
    'refuses %j with INVALID_INPUT',
    (pin) => {
      expect(() => pinBytes(pin)).toThrowError(OffcodeClientError);
      try {
        pinBytes(pin);
      } catch (e) {
        expect((e as OffcodeClientError).code).toBe('INVALID_INPUT');
        expect((e as OffcodeClientError).message).not.toContain(String(pin).slice(0, 4) || '\u0000');
      }
    },
  );

  it('a wrong PIN never raises: it yields another key of the same size (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<3 | 4>(3, 4),
        fc.string({ minLength: 4, maxLength: 12 }),
        fc.string({ minLength: 4, maxLength: 12 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (protocol, pin, other, key32, salt32) => {
          const size = protocol === 3 ? 16 : 32;
          const key = key32.slice(0, size);
          const salt = salt32.slice(0, size);
          const w = wrapKnowledgeKey(engine, protocol, pin, salt, key);
          expect(unwrapKnowledgeKey(engine, protocol, pin, w)).toEqual(key);
          const wrong = unwrapKnowledgeKey(engine, protocol, other, w);
          expect(wrong.length).toBe(size);
          if (other !== pin) expect(wrong).not.toEqual(key);
        },
      ),
      { numRuns: 25 },
    );
  });
});
