import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AtRestCipher, aad, ENCRYPTION_AES_GCM, ENCRYPTION_NONE } from './at-rest.js';
import { OffcodeError } from './errors.js';

const key = new Uint8Array(32).map((_, i) => i);
const other = new Uint8Array(32).fill(7);
const secret = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
const AAD = aad.activationSecret('3f0b6c9e-8f55-4c4e-9d51-1c1f3f0a8a11', 4);

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return e instanceof OffcodeError ? e.code : 'untyped';
  }
  return undefined;
};

describe('AtRestCipher', () => {
  it('writes the envelope 0x01 ‖ keyId ‖ iv ‖ ciphertext ‖ tag and reads it back', () => {
    const cipher = new AtRestCipher(key);
    const sealed = cipher.seal(secret, AAD);
    expect(sealed.encryption).toBe(ENCRYPTION_AES_GCM);
    expect(sealed.bytes[0]).toBe(1);
    expect(sealed.bytes.length).toBe(1 + 4 + 12 + secret.length + 16);
    expect(AtRestCipher.envelopeKeyId(sealed.bytes)).toBe(cipher.keyId);
    expect(Buffer.from(sealed.bytes).includes(Buffer.from(secret))).toBe(false);
    expect([...cipher.open(sealed.bytes, sealed.encryption, AAD)]).toEqual([...secret]);
    // Fresh IV per write.
    expect(Buffer.from(cipher.seal(secret, AAD).bytes).equals(Buffer.from(sealed.bytes))).toBe(false);
  });

  it('binds the value to its row: another AAD fails with ERR0022', () => {
    const cipher = new AtRestCipher(key);
    const sealed = cipher.seal(secret, AAD);
    expect(
      codeOf(() =>
        cipher.open(sealed.bytes, 1, aad.activationSecret('00000000-0000-4000-8000-000000000000', 4)),
      ),
    ).toBe('ERR0022');
    expect(
      codeOf(() =>
        cipher.open(sealed.bytes, 1, aad.serverPrivateKey('3f0b6c9e-8f55-4c4e-9d51-1c1f3f0a8a11', 4)),
      ),
    ).toBe('ERR0022');
  });

  it('detects tampering (ERR0022), unknown versions and key ids (ERR0021), a missing key (ERR0020)', () => {
    const cipher = new AtRestCipher(key);
    const sealed = cipher.seal(secret, AAD).bytes;
    const flipped = Uint8Array.from(sealed);
    flipped[20] = flipped[20]! ^ 1;
    expect(codeOf(() => cipher.open(flipped, 1, AAD))).toBe('ERR0022');
    const version = Uint8Array.from(sealed);
    version[0] = 2;
    expect(codeOf(() => cipher.open(version, 1, AAD))).toBe('ERR0021');
    expect(codeOf(() => new AtRestCipher(other).open(sealed, 1, AAD))).toBe('ERR0021');
    expect(codeOf(() => cipher.open(sealed, 9, AAD))).toBe('ERR0021');
    expect(codeOf(() => new AtRestCipher(null).open(sealed, 1, AAD))).toBe('ERR0020');
    expect(codeOf(() => cipher.open(sealed.subarray(0, 20), 1, AAD))).toBe('ERR0021');
  });

  it('decrypts with a previous key after rotation and encrypts with the new one', () => {
    const old = new AtRestCipher(key).seal(secret, AAD).bytes;
    const rotated = new AtRestCipher(other, [key]);
    expect([...rotated.open(old, 1, AAD)]).toEqual([...secret]);
    expect(AtRestCipher.envelopeKeyId(rotated.seal(secret, AAD).bytes)).toBe(rotated.keyId);
    expect(rotated.keyId).not.toBe(new AtRestCipher(key).keyId);
  });

  it('keeps plaintext without a key and still reads plaintext rows with one', () => {
    const plain = new AtRestCipher(null);
    expect(plain.enabled).toBe(false);
    const sealed = plain.seal(secret, AAD);
    expect(sealed.encryption).toBe(ENCRYPTION_NONE);
    expect([...sealed.bytes]).toEqual([...secret]);
    expect([...new AtRestCipher(key).open(sealed.bytes, ENCRYPTION_NONE, AAD)]).toEqual([...secret]);
  });

  it('computes the audit digest HMAC(K_audit, activationId|code), null without a key', () => {
    const kAudit = createHmac('sha256', key).update('offcode/audit-code-digest').digest();
    const expected = createHmac('sha256', kAudit).update('id|12345678-12345678').digest();
    expect(
      Buffer.from(new AtRestCipher(key).auditCodeDigest('id', '12345678-12345678')!).equals(expected),
    ).toBe(true);
    expect(new AtRestCipher(null).auditCodeDigest('id', '1')).toBeNull();
  });

  it('uses the AAD strings of server.md §5.2', () => {
    expect(aad.serverPrivateKey('id', 3)).toBe('offcode:v1|oc_activation.server_private_key|id|3');
    expect(aad.activationSecret('id', 4)).toBe('offcode:v1|oc_activation.activation_secret|id|4');
    expect(aad.masterPrivateKey('app', 'EC_P256', 'B64')).toBe(
      'offcode:v1|oc_master_keypair.private_key|app|EC_P256|B64',
    );
  });
});
