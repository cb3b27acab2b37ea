import { CODE_PARAMETERS } from '@offcode/crypto-wasm/internal';
import { describe, expect, it } from 'vitest';
import { curveInfo } from './keys/curves.js';
import {
  checkProtocolVersion,
  PROTOCOL_PARAMETERS,
  PROTOCOL_VERSIONS,
  protocolParameters,
  versionOfCurve,
} from './versions.js';

describe('protocol parameter table', () => {
  it('holds the crypto.md values of each version', () => {
    expect(PROTOCOL_PARAMETERS[3]).toMatchObject({
      version: 3,
      curve: 'P-256',
      ecdsaHash: 'SHA-256',
      factorKeyBytes: 16,
      counterBytes: 16,
      kdf: 'AES-128-INDEX',
      codeMac: 'HMAC-SHA256',
      personalizedKeyType: 1,
      nonPersonalizedKeyType: 0,
      validKeyTypes: [0, 1],
    });
    expect(PROTOCOL_PARAMETERS[4]).toMatchObject({
      version: 4,
      curve: 'P-384',
      ecdsaHash: 'SHA-384',
      factorKeyBytes: 32,
      counterBytes: 32,
      kdf: 'KMAC256',
      codeMac: 'KMAC256',
      personalizedKeyType: 2,
      nonPersonalizedKeyType: 0,
      validKeyTypes: [0, 2],
    });
  });

  it('agrees with the code engine and the curve table (one source for each value)', () => {
    for (const v of PROTOCOL_VERSIONS) {
      const p = PROTOCOL_PARAMETERS[v];
      expect(p.factorKeyBytes).toBe(CODE_PARAMETERS[v].factorKeyBytes);
      expect(p.counterBytes).toBe(CODE_PARAMETERS[v].counterBytes);
      const info = curveInfo(p.curve);
      expect(p.privateKeyBytes).toBe(info.size);
      expect(p.publicKeyBytes).toBe(2 * info.size + 1);
      expect(p.compressedPublicKeyBytes).toBe(info.size + 1);
      expect(versionOfCurve(p.curve)).toBe(v);
      expect(Object.isFrozen(p)).toBe(true);
    }
  });

  it('accepts only the numbers 3 and 4 as versions', () => {
    expect(checkProtocolVersion(3)).toBe(3);
    expect(protocolParameters(4).curve).toBe('P-384');
    for (const bad of ['3', 5, 0, null, undefined, 3.5, Number.NaN]) {
      expect(() => checkProtocolVersion(bad, 'version')).toThrowError(/version: must be 3 or 4/);
    }
    expect(() => versionOfCurve('P-521' as 'P-256')).toThrowError(/curve/);
  });
});
