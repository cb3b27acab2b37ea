import * as protocol from '@offcode/protocol';
import { describe, expect, it } from 'vitest';
import * as server from './index.js';

describe('root exports', () => {
  it('re-exports the activation-code functions of @offcode/protocol (one implementation)', () => {
    expect(server.crc16Arc).toBe(protocol.crc16Arc);
    expect(server.generateActivationCode).toBe(protocol.generateActivationCode);
    expect(server.parseActivationCode).toBe(protocol.parseActivationCode);
    const code = server.generateActivationCode();
    expect(server.parseActivationCode(code.toLowerCase())).toBe(code);
  });
});
