import { getNobleCrypto, getWasmCrypto } from '@offcode/crypto-wasm';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from './errors.js';
import * as root from './index.js';
import { getNodeCrypto, nodeCryptoFor } from './runtime.js';
import { checkSuite, createCryptoSuite, nodeCryptoOf } from './suite.js';

describe('implementation selection', () => {
  it('auto and node use node:crypto on Node, noble never; the suite is the only input', () => {
    expect(getNodeCrypto()).not.toBeNull();
    expect(nodeCryptoFor('auto')).toBe(getNodeCrypto());
    expect(nodeCryptoFor('node')).toBe(getNodeCrypto());
    expect(nodeCryptoFor('noble')).toBeNull();
    expect(nodeCryptoOf({ engine: getWasmCrypto(), impl: 'noble' })).toBeNull();
    expect(nodeCryptoOf({ engine: getNobleCrypto(), impl: 'node' })).toBe(getNodeCrypto());
  });

  it('has no process-wide switch any more (one way to choose: the suite)', () => {
    for (const name of ['setEcdsaImplementation', 'setCryptoImplementation', 'getNodeCrypto']) {
      expect(Object.keys(root)).not.toContain(name);
    }
  });

  it('refuses unknown implementation names and engines that are not engines', () => {
    expect(() => nodeCryptoFor('webcrypto' as 'node')).toThrowError(ProtocolError);
    expect(() => checkSuite({ engine: getWasmCrypto(), impl: 'x' })).toThrowError(/suite\.impl/);
    expect(() => checkSuite({ engine: {}, impl: 'auto' })).toThrowError(/suite\.engine/);
    expect(() => checkSuite(undefined)).toThrowError(ProtocolError);
  });

  it('createCryptoSuite builds a suite from names (defaults auto/auto) or takes an engine as it is', () => {
    const s = createCryptoSuite();
    expect(s.engine.backend).toBe('wasm');
    expect(s.impl).toBe('auto');
    expect(createCryptoSuite({ engine: 'noble', impl: 'noble' })).toEqual({
      engine: getNobleCrypto(),
      impl: 'noble',
    });
    const engine = getNobleCrypto();
    expect(createCryptoSuite({ engine }).engine).toBe(engine);
    expect(() => createCryptoSuite({ impl: 'x' as 'node' })).toThrowError(ProtocolError);
  });
});
