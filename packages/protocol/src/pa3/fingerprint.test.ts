import { describe, expect, it } from 'vitest';
import { b64, type FingerprintCase, readActivationVector, SUITES } from '../../test/activation-vectors.js';
import { ProtocolError } from '../errors.js';
import { normalizePublicKey } from '../keys/ec.js';
import { activationFingerprint } from './fingerprint.js';

const cases = readActivationVector<{ cases: FingerprintCase[] }>('activation-fingerprint.json').cases;

describe.each(SUITES)('activation fingerprint on $name', (suite) => {
  it('has 12 cases, 3 of them with a 31-byte x-coordinate', () => {
    expect(cases.length).toBe(12);
    expect(cases.filter((c) => c.deviceXLength === 31 || c.serverXLength === 31).length).toBe(3);
  });

  it.each(cases.map((c) => [c.id, c] as const))(
    '%s: compressed and uncompressed keys give the SDK fingerprint',
    (_id, c) => {
      const input = {
        devicePublicKey: b64(c.devicePublicKeyBase64),
        serverPublicKey: b64(c.serverPublicKeyBase64),
        activationId: c.activationId,
      };
      expect(activationFingerprint(suite, input)).toBe(c.fingerprint);
      const uncompressed = {
        ...input,
        devicePublicKey: normalizePublicKey('P-256', input.devicePublicKey),
        serverPublicKey: normalizePublicKey('P-256', input.serverPublicKey),
      };
      expect(activationFingerprint(suite, uncompressed)).toBe(c.fingerprint);
    },
  );

  it('keeps a leading zero byte out of the hash (a 32-byte X gives another value)', () => {
    const c = cases.find((x) => x.deviceXLength === 31)!;
    const data = (x: string) =>
      new Uint8Array([
        ...Buffer.from(x, 'hex'),
        ...Buffer.from(c.activationId),
        ...Buffer.from(c.serverXHex, 'hex'),
      ]);
    const reduce = (h: Uint8Array) =>
      String((new DataView(h.buffer).getUint32(28) & 0x7fffffff) % 1e8).padStart(8, '0');
    expect(reduce(suite.engine.sha256(data(c.deviceXHex)))).toBe(c.fingerprint);
    expect(reduce(suite.engine.sha256(data(`00${c.deviceXHex}`)))).not.toBe(c.fingerprint);
  });

  it('refuses an invalid point or activation ID with a typed error', () => {
    const c = cases[0]!;
    const bad = b64(c.devicePublicKeyBase64);
    bad[0] = 0x05;
    const input = {
      devicePublicKey: bad,
      serverPublicKey: b64(c.serverPublicKeyBase64),
      activationId: c.activationId,
    };
    expect(() => activationFingerprint(suite, input)).toThrowError(ProtocolError);
    try {
      activationFingerprint(suite, {
        ...input,
        devicePublicKey: b64(c.devicePublicKeyBase64),
        activationId: 'ABC',
      });
      expect.unreachable();
    } catch (e) {
      expect((e as ProtocolError).field).toBe('activationId');
    }
  });
});
