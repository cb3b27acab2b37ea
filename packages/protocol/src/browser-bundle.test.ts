/**
 * The browser build: bundling for `platform: 'browser'` must not pull in Node built-ins, and the bundle must
 * work in a context without `process` or `Buffer` (the @noble paths run there), giving the vector values.
 */
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { EXAMPLE } from '../test/vectors.js';

const entry = new URL('./index.ts', import.meta.url).pathname;

describe('browser bundle', () => {
  it('bundles without Node built-ins and runs without process/Buffer, reproducing crypto.md 13/14 values', async () => {
    const out = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'Offcode',
      write: false,
      logLevel: 'silent',
    });
    const code = out.outputFiles[0]!.text;
    expect(code).not.toMatch(/require\(["']node:/);
    expect(code).not.toMatch(/from ["']node:/);

    const context: Record<string, unknown> = {
      crypto: globalThis.crypto,
      TextEncoder,
      TextDecoder,
      WebAssembly,
      Uint8Array,
      console,
      EXAMPLE,
    };
    context.globalThis = context;
    const result = runInNewContext(
      `${code}
      ;(() => {
        const O = Offcode;
        const b64 = (s) => O.decodeBase64Strict(s);
        const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
        const payload = 'op\\nT\\nM\\nA1*A100CZK\\nB\\n' + EXAMPLE.v3.nonce + '\\n0' + 'MEYCIQDby1Uq+MaxiAAGzKmE/McHzNOUrvAP2qqGBvSgcdtyjgIhAMo1sgqNa1pPZTFBhhKvCKFLGDuHuTTYexdmHFjUUIJW';
        const signed = '5ff1b1ed-a3cc-45a3-8ab0-ed60950312b6\\nPayment\\nPlease confirm this payment\\nA1*A100CZK*ICZ2730300000001165254011*D20180425\\nB\\nAD8bOO0Df73kNaIGb3Vmpg==\\n1';
        const sig = 'MEYCIQDCWstMmpmblOVEpZNstFrMLQHHZBL9fEqSCm9+m4XpYgIhAKSSDWK48AoRJY+lFx5nsHj98MXqYbJlsPGKlYw3CFBH';
        const S = O.createCryptoSuite();
        const ms = O.deriveMasterSecretV3(S, b64(EXAMPLE.v3.devicePrivateKey), b64(EXAMPLE.v3.serverPublicKey));
        let nodeRefused = false;
        try { O.ecdh({ engine: S.engine, impl: 'node' }, 'P-256', new Uint8Array(32).fill(1), b64(EXAMPLE.v3.serverPublicKey)); }
        catch (e) { nodeRefused = e instanceof O.ProtocolError && e.code === 'UNSUPPORTED'; }
        return {
          parsed: O.parseOfflinePayload(payload).ok,
          verified: O.verifyEcdsaDer(S, 'P-256', b64(EXAMPLE.v3.serverPublicKey), new TextEncoder().encode(signed), b64(sig)),
          masterSecret: hex(ms),
          possession: hex(O.deriveKeysV3(S, ms).possession),
          activationSecret: hex(O.deriveActivationSecretV4(S, b64(EXAMPLE.v4.clientPrivateKey), b64(EXAMPLE.v4.serverPublicKey))),
          engine: S.engine.backend,
          totp: O.totp(S, new Uint8Array(16).map((_, i) => parseInt(EXAMPLE.v4.totpSeedHex.slice(2 * i, 2 * i + 2), 16)), EXAMPLE.v4.now),
          nodeRefused,
        };
      })()`,
      context,
    );
    expect(result).toEqual({
      parsed: true,
      verified: true,
      masterSecret: 'ddd833649fe1e10b015e26bf3c8691b1',
      possession: '5143901fcf47a1afcdc3b7b0e6b1933f',
      activationSecret: '7fb558ca2cb48afa045c640eb733eb9458b92cab7658139aba518a210e1bc634',
      engine: 'wasm',
      totp: '23226405',
      nodeRefused: true,
    });
  });
});
