import { bytesToHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { b64, hx, type RemoveFile, readActivationVector, SUITES } from '../../test/activation-vectors.js';
import { encodeBase64 } from '../base64.js';
import { ProtocolError } from '../errors.js';
import { deriveKeysV3, deriveMasterSecretV3 } from '../keys/v3.js';
import type { CryptoSuite } from '../suite.js';
import {
  buildAuthorizationHeader,
  computeOnlineSignature,
  type FactorKeys,
  onlineSignatureData,
  parseAuthorizationHeader,
  type SignatureType,
  verifyOnlineSignature,
} from './online-signature.js';

const file = readActivationVector<RemoveFile>('activation-remove-authorization.json');
const requests = file.activations.flatMap((a) => a.signedRequests.map((r) => ({ a, r })));

function keysOf(suite: CryptoSuite, a: RemoveFile['activations'][number]): FactorKeys {
  // Server side: KEY_MASTER_SECRET from the server private key and the device public key.
  const master = deriveMasterSecretV3(
    suite,
    hx(a.activation.serverKeyPair.privateKeyHex),
    b64(a.activation.deviceKeyPair.publicKeyBase64),
  );
  const keys = deriveKeysV3(suite, master);
  expect(bytesToHex(keys.possession)).toBe(a.activation.derivedKeys.KEY_SIGNATURE_POSSESSION);
  return keys;
}

function expectProtocolError(fn: () => unknown, field: string, code?: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as ProtocolError).field).toBe(field);
    if (code) expect((e as ProtocolError).code).toBe(code);
    return;
  }
  expect.unreachable(`expected a ProtocolError on ${field}`);
}

describe.each(SUITES)('online signature (activation/remove vectors) on $name', (suite) => {
  it('has 15 requests in 3 activations, 3 of them one counter step ahead', () => {
    expect(requests.length).toBe(15);
    expect(requests.filter(({ r }) => r.serverLookAheadStepsNeeded === 1).length).toBe(3);
  });

  it.each(requests.map(({ a, r }) => [r.id, a, r] as const))(
    '%s: header, normalized data, signature, lookahead verification',
    (_id, a, r) => {
      const header = parseAuthorizationHeader(r.headerValue);
      expect(header).toEqual({
        version: r.version,
        activationId: r.activationIdInHeader,
        applicationKey: r.applicationKeyInHeader,
        nonce: r.nonceBase64,
        signatureType: r.signatureType,
        signature: r.signature,
      });
      expect(buildAuthorizationHeader(header)).toBe(r.headerValue);
      const data = onlineSignatureData({
        method: r.method,
        uriId: r.uriId,
        nonce: header.nonce,
        body: hx(r.bodyHex),
        applicationSecret: a.application.applicationSecret,
      });
      expect(new TextDecoder().decode(data)).toBe(r.normalizedData);
      const keys = keysOf(suite, a);
      const type = header.signatureType;
      expect(
        computeOnlineSignature(suite, { signatureType: type, keys, ctrData: b64(r.ctrDataBase64), data }),
      ).toBe(r.signature);

      const stored = b64(r.serverStoredCtrDataBase64);
      const result = verifyOnlineSignature(suite, {
        signatureType: type,
        keys,
        ctrData: stored,
        data,
        signature: header.signature,
        lookAhead: 20,
      });
      expect(result.match).toBe(true);
      if (!result.match) return;
      expect(result.position).toBe(r.serverLookAheadStepsNeeded);
      let expectedNext = stored;
      for (let i = 0; i <= result.position; i++) expectedNext = suite.engine.nextCounter(3, expectedNext);
      expect(encodeBase64(result.nextCtrData)).toBe(encodeBase64(expectedNext));
    },
  );

  it.each(requests.map(({ a, r }) => [r.id, a, r] as const))(
    '%s: another factor type, secret or a too-small window is refused',
    (_id, a, r) => {
      const keys = keysOf(suite, a);
      const type = r.signatureType as SignatureType;
      const stored = b64(r.serverStoredCtrDataBase64);
      const input = {
        method: r.method,
        uriId: r.uriId,
        nonce: r.nonceBase64,
        body: hx(r.bodyHex),
        applicationSecret: a.application.applicationSecret,
      };
      const data = onlineSignatureData(input);
      const other: Record<string, SignatureType> = {
        possession: 'knowledge',
        possession_knowledge: 'possession_biometry',
        possession_biometry: 'possession_knowledge',
        possession_knowledge_biometry: 'possession_knowledge_biometry',
      };
      if (other[type] !== type) {
        expect(
          verifyOnlineSignature(suite, {
            signatureType: other[type]!,
            keys,
            ctrData: stored,
            data,
            signature: r.signature,
            lookAhead: 20,
          }).match,
        ).toBe(false);
      }
      const otherSecret = onlineSignatureData({ ...input, applicationSecret: 'AAAAAAAAAAAAAAAAAAAAAA==' });
      expect(
        verifyOnlineSignature(suite, {
          signatureType: type,
          keys,
          ctrData: stored,
          data: otherSecret,
          signature: r.signature,
          lookAhead: 20,
        }).match,
      ).toBe(false);
      if (r.serverLookAheadStepsNeeded > 0) {
        expect(
          verifyOnlineSignature(suite, {
            signatureType: type,
            keys,
            ctrData: stored,
            data,
            signature: r.signature,
            lookAhead: 1,
          }).match,
        ).toBe(false);
      }
    },
  );

  it('refuses missing keys and a bad window with typed errors', () => {
    const { a, r } = requests[0]!;
    const keys = keysOf(suite, a);
    const data = new Uint8Array(3);
    expectProtocolError(
      () =>
        computeOnlineSignature(suite, {
          signatureType: 'possession_knowledge',
          keys: { possession: keys.possession },
          ctrData: b64(r.ctrDataBase64),
          data,
        }),
      'knowledge',
      'INVALID_KEY',
    );
    expectProtocolError(
      () =>
        computeOnlineSignature(suite, {
          signatureType: 'possession',
          keys,
          ctrData: new Uint8Array(32),
          data,
        }),
      'ctrData',
    );
    expectProtocolError(
      () =>
        verifyOnlineSignature(suite, {
          signatureType: 'possession',
          keys,
          ctrData: b64(r.ctrDataBase64),
          data,
          signature: 'x',
          lookAhead: 0,
        }),
      'lookAhead',
    );
  });
});

describe('X-PowerAuth-Authorization parser', () => {
  const { r } = requests[0]!;
  const header = parseAuthorizationHeader(r.headerValue);
  const pairs = (over: Record<string, string | undefined>) => {
    const all: Record<string, string | undefined> = {
      pa_version: header.version,
      pa_activation_id: header.activationId,
      pa_application_key: header.applicationKey,
      pa_nonce: header.nonce,
      pa_signature_type: header.signatureType,
      pa_signature: header.signature,
      ...over,
    };
    return `PowerAuth ${Object.entries(all)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}="${v}"`)
      .join(', ')}`;
  };

  it('accepts any pair order, space or ", " separators, and signature types in any letter case', () => {
    const reversed = `PowerAuth ${r.headerValue.slice('PowerAuth '.length).split(', ').reverse().join(' ')}`;
    expect(parseAuthorizationHeader(reversed)).toEqual(header);
    expect(parseAuthorizationHeader(pairs({ pa_signature_type: 'POSSESSION_Knowledge' })).signatureType).toBe(
      'possession_knowledge',
    );
    expect(parseAuthorizationHeader(pairs({ pa_future: 'x' }))).toEqual(header);
  });

  it('names the field that breaks a rule', () => {
    const refused: [Record<string, string | undefined>, string, string?][] = [
      [{ pa_version: '3.0' }, 'pa_version', 'UNSUPPORTED'],
      [{ pa_version: '4.0' }, 'pa_version', 'UNSUPPORTED'],
      [{ pa_activation_id: header.activationId.toUpperCase() }, 'pa_activation_id'],
      [{ pa_activation_id: '7f4ee340-3194-07bc-908e-0f3f69c64050' }, 'pa_activation_id'],
      [{ pa_application_key: encodeBase64(new Uint8Array(15)) }, 'pa_application_key'],
      [{ pa_nonce: encodeBase64(new Uint8Array(17)) }, 'pa_nonce'],
      [{ pa_signature_type: 'possession_\u212Anowledge' }, 'pa_signature_type'],
      [{ pa_signature_type: 'possession' }, 'pa_signature'],
      [{ pa_signature: '12345678-12345678' }, 'pa_signature'],
      [{ pa_nonce: undefined }, 'pa_nonce'],
    ];
    for (const [over, field, code] of refused)
      expectProtocolError(() => parseAuthorizationHeader(pairs(over)), field, code);
    expectProtocolError(
      () => parseAuthorizationHeader(`${r.headerValue}, pa_nonce="${header.nonce}"`),
      'X-PowerAuth-Authorization',
    );
    expectProtocolError(
      () => parseAuthorizationHeader(r.headerValue.replace('PowerAuth ', 'Bearer ')),
      'X-PowerAuth-Authorization',
    );
    expectProtocolError(
      () => parseAuthorizationHeader(r.headerValue.replace(', ', '')),
      'X-PowerAuth-Authorization',
    );
    expectProtocolError(
      () => parseAuthorizationHeader(r.headerValue.slice(0, -1)),
      'X-PowerAuth-Authorization',
    );
    expectProtocolError(
      () => parseAuthorizationHeader(`${r.headerValue} x="a\\b"`),
      'X-PowerAuth-Authorization',
    );
    expectProtocolError(
      () => parseAuthorizationHeader(`PowerAuth ${'a="b" '.repeat(300)}`),
      'X-PowerAuth-Authorization',
      'INVALID_LENGTH',
    );
    expectProtocolError(() => parseAuthorizationHeader(null), 'X-PowerAuth-Authorization');
  });

  it('throws nothing but ProtocolError on arbitrary and mutated headers (property)', () => {
    const mutated = fc
      .tuple(fc.nat({ max: r.headerValue.length }), fc.string({ maxLength: 6 }), fc.nat({ max: 6 }))
      .map(([at, insert, cut]) => r.headerValue.slice(0, at) + insert + r.headerValue.slice(at + cut));
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutated, fc.anything()), (value) => {
        try {
          const parsed = parseAuthorizationHeader(value);
          expect(buildAuthorizationHeader(parsed).startsWith('PowerAuth pa_version=')).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
