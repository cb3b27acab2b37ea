import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64Strict, encodeBase64 } from '../base64.js';
import { ProtocolError } from '../errors.js';
import { encodeMobileSdkConfig, parseMobileSdkConfig, SDK_CONFIG_KEY_IDS } from './sdk-config.js';

const bytes = (n: number, from: number) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);
const appKey = bytes(16, 0x10);
const appSecret = bytes(16, 0x20);
const p256 = Uint8Array.from([0x04, ...bytes(64, 0x40)]);

describe('PowerAuth mobile SDK configuration string (activation.md 11)', () => {
  it('lays out version, APP_KEY, APP_SECRET, the key count and each key as id + Data', () => {
    const text = encodeMobileSdkConfig({
      applicationKey: appKey,
      applicationSecret: appSecret,
      keys: [[SDK_CONFIG_KEY_IDS.MASTER_P256_PUBLIC, p256]],
    });
    // Written out by hand from PowerAuth's "SDK Configuration" table: 0x01 | key | secret | 1 | 0x01 | 65 | point.
    const expected = Uint8Array.from([0x01, ...appKey, ...appSecret, 0x01, 0x01, 0x41, ...p256]);
    expect(Buffer.from(decodeBase64Strict(text)).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
    expect(decodeBase64Strict(text).length).toBe(101);
    const parsed = parseMobileSdkConfig(text);
    expect(parsed.applicationKey).toEqual(appKey);
    expect(parsed.applicationSecret).toEqual(appSecret);
    expect([...parsed.keys]).toEqual([[1, p256]]);
  });

  it('encodes counts of 128 and more in two bytes (0x8000 | n) and 16384 and more in four', () => {
    const long = bytes(200, 0);
    const text = encodeMobileSdkConfig({
      applicationKey: appKey,
      applicationSecret: appSecret,
      keys: [[2, long]],
    });
    const raw = decodeBase64Strict(text);
    expect([...raw.subarray(33, 37)]).toEqual([0x01, 0x02, 0x80, 200]);
    expect(parseMobileSdkConfig(text).keys.get(2)).toEqual(long);
    const huge = bytes(0x4000, 1);
    const raw4 = decodeBase64Strict(
      encodeMobileSdkConfig({ applicationKey: appKey, applicationSecret: appSecret, keys: [[2, huge]] }),
    );
    expect([...raw4.subarray(34, 39)]).toEqual([0x02, 0xc0, 0x00, 0x40, 0x00]);
    expect(parseMobileSdkConfig(encodeBase64(raw4)).keys.get(2)).toEqual(huge);
  });

  it('refuses another version, truncation, trailing bytes, a repeated key and wrong key/secret sizes', () => {
    const good = decodeBase64Strict(
      encodeMobileSdkConfig({ applicationKey: appKey, applicationSecret: appSecret, keys: [[1, p256]] }),
    );
    const bad = [
      Uint8Array.from([0x02, ...good.subarray(1)]),
      good.subarray(0, good.length - 1),
      Uint8Array.from([...good, 0x00]),
      Uint8Array.from([0x01, ...appKey, ...appSecret, 0x02, 0x01, 0x01, 0xaa, 0x01, 0x01, 0xbb]),
      good.subarray(0, 20),
    ];
    for (const b of bad) {
      expect(() => parseMobileSdkConfig(encodeBase64(b))).toThrow(ProtocolError);
    }
    expect(() => parseMobileSdkConfig('not base64!')).toThrow(ProtocolError);
    expect(() =>
      encodeMobileSdkConfig({ applicationKey: bytes(15, 0), applicationSecret: appSecret, keys: [] }),
    ).toThrow(/applicationKey: must be 16 bytes/);
    expect(() =>
      encodeMobileSdkConfig({ applicationKey: appKey, applicationSecret: appSecret, keys: [[0, p256]] }),
    ).toThrow(ProtocolError);
  });

  it('property: parsing any text throws nothing but ProtocolError, and encode/parse round-trips', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 200 }).map(encodeBase64)), (text) => {
        try {
          parseMobileSdkConfig(text);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uniqueArray(
          fc.tuple(fc.integer({ min: 1, max: 255 }), fc.uint8Array({ minLength: 1, maxLength: 300 })),
          {
            selector: (t) => t[0],
            maxLength: 4,
          },
        ),
        (k, s, keys) => {
          const parsed = parseMobileSdkConfig(
            encodeMobileSdkConfig({ applicationKey: k, applicationSecret: s, keys }),
          );
          expect(parsed.applicationKey).toEqual(k);
          expect(parsed.applicationSecret).toEqual(s);
          expect([...parsed.keys]).toEqual(keys);
        },
      ),
      { numRuns: 300 },
    );
  });
});
