import { afterEach, describe, expect, it } from 'vitest';
import { ProtocolError } from './errors.js';
import {
  ecdsaBackend,
  getNodeCrypto,
  nativeBackend,
  setCryptoImplementation,
  setEcdsaImplementation,
} from './runtime.js';

afterEach(() => setCryptoImplementation('auto'));

describe('implementation selection', () => {
  it('auto uses node:crypto on Node; noble can be forced per call or process-wide', () => {
    expect(getNodeCrypto()).not.toBeNull();
    expect(ecdsaBackend()).toBe(getNodeCrypto());
    expect(ecdsaBackend('noble')).toBeNull();
    setEcdsaImplementation('noble');
    expect(ecdsaBackend()).toBeNull();
    expect(nativeBackend()).toBe(getNodeCrypto());
    expect(ecdsaBackend('node')).toBe(getNodeCrypto());
    setCryptoImplementation('noble');
    expect(nativeBackend()).toBeNull();
    setCryptoImplementation('node');
    expect(nativeBackend()).toBe(getNodeCrypto());
  });

  it('refuses unknown implementation names', () => {
    expect(() => setEcdsaImplementation('webcrypto' as 'node')).toThrowError(ProtocolError);
    expect(() => ecdsaBackend('x' as 'node')).toThrowError(ProtocolError);
  });
});
