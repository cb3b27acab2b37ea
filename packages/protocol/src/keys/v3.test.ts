import { describe, expect, it } from 'vitest';
import { SUITE, suiteOf } from '../../test/suites.js';
import { b64, EXAMPLE, IMPLS, toHex, vectorSources } from '../../test/vectors.js';
import { encodeBase64 } from '../base64.js';
import { ProtocolError } from '../errors.js';
import { compressPublicKey } from './ec.js';
import { deriveKeysV3, deriveMasterSecretV3, kdfV3 } from './v3.js';

interface MasterCase {
  input: {
    devicePrivateKey: string;
    devicePublicKey: string;
    serverPrivateKey: string;
    serverPublicKey: string;
  };
  output: { masterSecretKey: string };
}
interface DerivedCase {
  input: { masterSecretKey: string };
  output: Record<
    | 'signaturePossessionKey'
    | 'signatureKnowledgeKey'
    | 'signatureBiometryKey'
    | 'transportKey'
    | 'vaultEncryptionKey',
    string
  >;
}

// Published files (../shared/vectors; skipped with one line where missing) and their regression twins (always).
const masterSources = vectorSources<{ data: MasterCase[] }>('v3/compute-master-secret-key.json');
const derivedSources = vectorSources<{ data: DerivedCase[] }>('v3/compute-derived-keys.json');

describe.each(IMPLS)('V3 key derivation (%s)', (impl) => {
  for (const src of masterSources) {
    it.skipIf(!src.available)(
      `replays ${src.source} ${src.file} both ways and with compressed device keys`,
      () => {
        const master = src.load().data;
        expect(master.length).toBe(20);
        for (const c of master) {
          const { devicePrivateKey, devicePublicKey, serverPrivateKey, serverPublicKey } = c.input;
          const device = deriveMasterSecretV3(suiteOf(impl), b64(devicePrivateKey), b64(serverPublicKey));
          const server = deriveMasterSecretV3(suiteOf(impl), b64(serverPrivateKey), b64(devicePublicKey));
          const compressed = deriveMasterSecretV3(
            suiteOf(impl),
            b64(serverPrivateKey),
            compressPublicKey('P-256', b64(devicePublicKey)),
          );
          expect(encodeBase64(device)).toBe(c.output.masterSecretKey);
          expect(encodeBase64(server)).toBe(c.output.masterSecretKey);
          expect(encodeBase64(compressed)).toBe(c.output.masterSecretKey);
        }
      },
    );
  }

  for (const src of derivedSources) {
    it.skipIf(!src.available)(`replays ${src.source} ${src.file} (indices 1, 2, 3, 1000, 2000)`, () => {
      const derived = src.load().data;
      expect(derived.length).toBe(20);
      for (const c of derived) {
        const keys = deriveKeysV3(suiteOf(impl), b64(c.input.masterSecretKey));
        expect(encodeBase64(keys.possession)).toBe(c.output.signaturePossessionKey);
        expect(encodeBase64(keys.knowledge)).toBe(c.output.signatureKnowledgeKey);
        expect(encodeBase64(keys.biometry)).toBe(c.output.signatureBiometryKey);
        expect(encodeBase64(keys.transport)).toBe(c.output.transportKey);
        expect(encodeBase64(keys.vault)).toBe(c.output.vaultEncryptionKey);
      }
    });
  }

  it('reproduces crypto.md section 13 keys', () => {
    const ms = deriveMasterSecretV3(
      suiteOf(impl),
      b64(EXAMPLE.v3.devicePrivateKey),
      b64(EXAMPLE.v3.serverPublicKey),
    );
    expect(toHex(ms)).toBe('ddd833649fe1e10b015e26bf3c8691b1');
    const keys = deriveKeysV3(suiteOf(impl), ms);
    expect(toHex(keys.possession)).toBe('5143901fcf47a1afcdc3b7b0e6b1933f');
    expect(toHex(keys.knowledge)).toBe('8631d64f2dc70379d074371d9c96d133');
    expect(toHex(keys.biometry)).toBe('4bd7cdbc652151a7e9d7cba9156cc2a0');
    expect(toHex(kdfV3(suiteOf(impl), ms, 1n))).toBe(toHex(keys.possession));
  });
});

describe('kdfV3 input checks', () => {
  it('refuses bad keys and indices', () => {
    expect(() => kdfV3(SUITE, new Uint8Array(15), 1)).toThrowError(ProtocolError);
    expect(() => kdfV3(SUITE, new Uint8Array(16), -1)).toThrowError(ProtocolError);
    expect(() => kdfV3(SUITE, new Uint8Array(16), 1.5)).toThrowError(ProtocolError);
    expect(() => kdfV3(SUITE, new Uint8Array(16), 1n << 64n)).toThrowError(ProtocolError);
    expect(kdfV3(SUITE, new Uint8Array(16), (1n << 64n) - 1n).length).toBe(16);
  });

  it('puts the index in the last 8 bytes (node and noble agree for large indices)', () => {
    const key = new Uint8Array(16).fill(7);
    for (const i of [0n, 1n, 0xffffffffn, 0x1_0000_0000n, (1n << 63n) + 5n]) {
      expect(toHex(kdfV3(suiteOf('node'), key, i))).toBe(toHex(kdfV3(suiteOf('noble'), key, i)));
    }
  });
});
