import { bytesToHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  b64,
  type HsCase,
  hx,
  readActivationVector,
  readEsCases,
  SUITES,
} from '../../test/activation-vectors.js';
import { encodeBase64, utf8Encode } from '../base64.js';
import { derToCompact, parseDerSignature } from '../der.js';
import { ProtocolError } from '../errors.js';
import { curveInfo } from '../keys/curves.js';
import { encodeBase64Url } from './base64url.js';
import { gsonStringify } from './json.js';
import {
  createKeystoreRequestJwt,
  createKeystoreResponseJwt,
  KEYSTORE_REQUEST_JWT_HEADER,
  type KeystoreResponseClaims,
  keystoreRequestHmacKey,
  parseKeystoreRequestJwt,
  parseKeystoreResponseJwt,
  verifyKeystoreRequestJwt,
  verifyKeystoreResponseJwt,
} from './jwt.js';

const hsCases = readActivationVector<{ cases: HsCase[] }>('keystore-jwt-hs256-request.json').cases;
const esCases = readEsCases();

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

function hsInput(c: HsCase) {
  return {
    applicationKey: c.input.applicationKey,
    applicationSecret: c.application.applicationSecret,
    challenge: c.input.challenge,
    ...(c.input.scope === 'activation'
      ? { activationId: c.input.activationId!, transportKey: hx(c.input.KEY_TRANSPORT!) }
      : {}),
  };
}

function claimsOf(json: string): KeystoreResponseClaims {
  const c = JSON.parse(json) as {
    sub: string;
    applicationKey: string;
    activationId?: string;
    challenge: string;
    publicKey: string;
    iat_ms: number;
    exp_ms: number;
  };
  return {
    keyId: c.sub,
    applicationKey: c.applicationKey,
    ...(c.activationId === undefined ? {} : { activationId: c.activationId }),
    challenge: c.challenge,
    publicKey: b64(c.publicKey),
    issuedAtMs: c.iat_ms,
    expiresAtMs: c.exp_ms,
  };
}

/** Replaces one part of a compact JWT. */
function withPart(jwt: string, index: number, part: string): string {
  const parts = jwt.split('.');
  parts[index] = part;
  return parts.join('.');
}

describe.each(SUITES)('keystore request JWT (HS256) on $name', (suite) => {
  it('has 12 application and 12 activation cases', () => {
    expect(hsCases.filter((c) => c.input.scope === 'application').length).toBe(12);
    expect(hsCases.filter((c) => c.input.scope === 'activation').length).toBe(12);
  });

  it.each(hsCases.map((c) => [c.id, c] as const))(
    '%s: key, byte-identical JWT and body, parse, verify',
    (_id, c) => {
      const key = keystoreRequestHmacKey(suite, hsInput(c));
      expect(bytesToHex(key)).toBe(c.derived.hmacKeyHex);
      const jwt = createKeystoreRequestJwt(suite, hsInput(c));
      expect(jwt).toBe(c.output.jwt);
      expect(jwt.startsWith(`${KEYSTORE_REQUEST_JWT_HEADER}.`)).toBe(true);
      expect(gsonStringify({ requestObject: { jwt } })).toBe(c.output.requestBodyAndroidGson);

      const parsed = parseKeystoreRequestJwt(JSON.parse(c.output.requestBodyAndroidGson).requestObject.jwt);
      expect(parsed.scope).toBe(c.input.scope);
      expect(parsed.claims).toEqual({
        applicationKey: c.input.applicationKey,
        challenge: c.input.challenge,
        ...(c.input.activationId ? { activationId: c.input.activationId } : {}),
      });
      expect(bytesToHex(parsed.signature)).toBe(c.output.signatureHex);
      expect(verifyKeystoreRequestJwt(suite, parsed, key)).toBe(true);
    },
  );

  it('refuses a wrong key, a tampered signature or payload, and the other scope key', () => {
    const app = hsCases[0]!;
    const act = hsCases[12]!;
    const parsed = parseKeystoreRequestJwt(app.output.jwt);
    const key = keystoreRequestHmacKey(suite, hsInput(app));
    expect(verifyKeystoreRequestJwt(suite, parsed, new Uint8Array(16))).toBe(false);
    for (let i = 0; i < 32; i++) {
      const signature = parsed.signature.slice();
      signature[i]! ^= 4;
      expect(verifyKeystoreRequestJwt(suite, { ...parsed, signature }, key)).toBe(false);
    }
    const payload = encodeBase64Url(
      utf8Encode(`{"applicationKey":"${app.input.applicationKey}","challenge":"${act.input.challenge}"}`),
    );
    expect(
      verifyKeystoreRequestJwt(suite, parseKeystoreRequestJwt(withPart(app.output.jwt, 1, payload)), key),
    ).toBe(false);
    const actParsed = parseKeystoreRequestJwt(act.output.jwt);
    const appScopeKey = keystoreRequestHmacKey(suite, {
      applicationSecret: act.application.applicationSecret,
    });
    expect(verifyKeystoreRequestJwt(suite, actParsed, appScopeKey)).toBe(false);
    expectProtocolError(
      () => createKeystoreRequestJwt(suite, { ...hsInput(act), transportKey: undefined }),
      'activationId',
    );
  });

  it('parses strictly: header alg/typ, three parts, Base64url without padding, claim shapes', () => {
    const jwt = hsCases[1]!.output.jwt;
    const header = (h: string) => encodeBase64Url(utf8Encode(h));
    expectProtocolError(
      () => parseKeystoreRequestJwt(withPart(jwt, 0, header('{"alg":"none","typ":"JWT"}'))),
      'jwt.header',
    );
    expectProtocolError(
      () => parseKeystoreRequestJwt(withPart(jwt, 0, header('{"alg":"HS512","typ":"JWT"}'))),
      'jwt.header',
    );
    expectProtocolError(
      () => parseKeystoreRequestJwt(withPart(jwt, 0, header('{"alg":"HS256","typ":"JOSE"}'))),
      'jwt.header',
    );
    expect(parseKeystoreRequestJwt(withPart(jwt, 0, header('{"alg":"HS256"}'))).scope).toBe('application');
    expectProtocolError(() => parseKeystoreRequestJwt(jwt.split('.').slice(0, 2).join('.')), 'jwt');
    expectProtocolError(() => parseKeystoreRequestJwt(`${jwt}=`), 'jwt', 'INVALID_BASE64');
    expectProtocolError(
      () => parseKeystoreRequestJwt(withPart(jwt, 2, encodeBase64Url(new Uint8Array(31)))),
      'jwt.signature',
    );
    const payload = (p: string) => withPart(jwt, 1, encodeBase64Url(utf8Encode(p)));
    expectProtocolError(
      () => parseKeystoreRequestJwt(payload('{"challenge":"VkWOQgrB4SIWpFXgzWhvENU2"}')),
      'applicationKey',
    );
    expectProtocolError(
      () => parseKeystoreRequestJwt(payload('{"applicationKey":"AAAAAAAAAAAAAAAAAAAAAA==","challenge":"x"}')),
      'challenge',
    );
    expectProtocolError(
      () =>
        parseKeystoreRequestJwt(
          payload(
            '{"applicationKey":"AAAAAAAAAAAAAAAAAAAAAA==","challenge":"VkWOQgrB4SIWpFXgzWhvENU2","activationId":"X"}',
          ),
        ),
      'activationId',
    );
    expectProtocolError(() => parseKeystoreRequestJwt(payload('[1]')), 'jwt.payload');
    expectProtocolError(() => parseKeystoreRequestJwt(42), 'jwt');
  });
});

describe.each(SUITES)('keystore response JWT (ES256) on $name', (suite) => {
  it('has 12 SDK-signed and 12 Java-signed cases', () => {
    expect(esCases.length).toBe(24);
    expect(esCases.filter((c) => c.id.includes('java')).length).toBe(12);
  });

  it.each(esCases.map((c) => [c.id, c] as const))(
    '%s: parse, verify with the scope key, JOSE = DER values',
    (_id, c) => {
      const info = curveInfo('P-256');
      expect(bytesToHex(derToCompact(parseDerSignature(hx(c.signatureDerHex), 32, info.order)!, 32))).toBe(
        c.signatureJoseHex,
      );
      const parsed = parseKeystoreResponseJwt(c.jwt);
      expect(new TextDecoder().decode(parsed.signingInput)).toBe(c.signingInput);
      expect(parsed.claims).toEqual(claimsOf(c.claimsJson));
      const expected = {
        signerPublicKey: b64(c.signerPublicKeyBase64),
        challenge: parsed.claims.challenge,
        applicationKey: parsed.claims.applicationKey,
        activationId: parsed.claims.activationId,
      };
      expect(verifyKeystoreResponseJwt(suite, c.jwt, expected)).toEqual(parsed.claims);
      if (c.otherRolePublicKeyBase64) {
        expectProtocolError(
          () =>
            verifyKeystoreResponseJwt(suite, c.jwt, {
              ...expected,
              signerPublicKey: b64(c.otherRolePublicKeyBase64!),
            }),
          'jwt.signature',
        );
      }
      expectProtocolError(
        () => verifyKeystoreResponseJwt(suite, c.jwt, { ...expected, challenge: 'AAAAAAAAAAAAAAAAAAAAAAAA' }),
        'challenge',
      );
      const otherActivation = expected.activationId ? undefined : '11111111-1111-4111-8111-111111111111';
      expectProtocolError(
        () => verifyKeystoreResponseJwt(suite, c.jwt, { ...expected, activationId: otherActivation }),
        'activationId',
      );
    },
  );

  it.each(esCases.map((c) => [c.id, c] as const))(
    '%s: DER instead of JOSE and a tampered payload are refused',
    (_id, c) => {
      expectProtocolError(
        () => parseKeystoreResponseJwt(withPart(c.jwt, 2, encodeBase64Url(hx(c.signatureDerHex)))),
        'jwt.signature',
        'INVALID_LENGTH',
      );
      const claims = JSON.parse(c.claimsJson) as Record<string, unknown>;
      const tampered = withPart(
        c.jwt,
        1,
        encodeBase64Url(utf8Encode(JSON.stringify({ ...claims, exp_ms: (claims.exp_ms as number) + 1 }))),
      );
      const expected = {
        signerPublicKey: b64(c.signerPublicKeyBase64),
        challenge: claims.challenge as string,
        applicationKey: claims.applicationKey as string,
        activationId: claims.activationId as string | undefined,
      };
      expectProtocolError(() => verifyKeystoreResponseJwt(suite, tampered, expected), 'jwt.signature');
    },
  );

  it.each(esCases.map((c) => [c.id, c] as const))(
    '%s: the server side writes the same signing input and a signature the device accepts',
    (_id, c) => {
      const claims = claimsOf(c.claimsJson);
      const jwt = createKeystoreResponseJwt(suite, { signingPrivateKey: hx(c.signerPrivateKeyHex), claims });
      expect(jwt.split('.').slice(0, 2).join('.')).toBe(c.signingInput);
      const expected = {
        signerPublicKey: b64(c.signerPublicKeyBase64),
        challenge: claims.challenge,
        applicationKey: claims.applicationKey,
        activationId: claims.activationId,
      };
      expect(verifyKeystoreResponseJwt(suite, jwt, expected)).toEqual(claims);
    },
  );

  it('refuses a header other than exactly typ JWT / alg ES256 and claims of the wrong shape', () => {
    const c = esCases[0]!;
    const header = (h: string) => withPart(c.jwt, 0, encodeBase64Url(utf8Encode(h)));
    expectProtocolError(() => parseKeystoreResponseJwt(header('{"alg":"ES256"}')), 'jwt.header');
    expectProtocolError(() => parseKeystoreResponseJwt(header('{"typ":"JWT","alg":"HS256"}')), 'jwt.header');
    const claims = JSON.parse(c.claimsJson) as Record<string, unknown>;
    const payload = (p: Record<string, unknown>) =>
      withPart(c.jwt, 1, encodeBase64Url(utf8Encode(JSON.stringify(p))));
    expectProtocolError(() => parseKeystoreResponseJwt(payload({ ...claims, sub: undefined })), 'sub');
    expectProtocolError(() => parseKeystoreResponseJwt(payload({ ...claims, exp_ms: '1' })), 'exp_ms');
    expectProtocolError(() => parseKeystoreResponseJwt(payload({ ...claims, iat_ms: undefined })), 'iat_ms');
    expectProtocolError(
      () => parseKeystoreResponseJwt(payload({ ...claims, publicKey: encodeBase64(new Uint8Array(32)) })),
      'publicKey',
    );
    // exp / iat (seconds) are not read.
    expect(parseKeystoreResponseJwt(payload({ ...claims, exp: 'x', iat: null })).claims).toEqual(
      claimsOf(c.claimsJson),
    );
  });
});

describe('JWT parsers on arbitrary input (property)', () => {
  const part = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.jsonValue().map((v) => encodeBase64Url(utf8Encode(JSON.stringify(v) ?? 'null'))),
    fc.uint8Array({ maxLength: 80 }).map(encodeBase64Url),
  );
  const jwt = fc.oneof(
    fc.string(),
    fc.array(part, { minLength: 1, maxLength: 4 }).map((p) => p.join('.')),
  );

  it('throw nothing but ProtocolError', () => {
    fc.assert(
      fc.property(jwt, (text) => {
        for (const parse of [parseKeystoreRequestJwt, parseKeystoreResponseJwt]) {
          try {
            parse(text);
          } catch (e) {
            expect(e).toBeInstanceOf(ProtocolError);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('mutated claims of a valid request JWT only ever give ProtocolError', () => {
    const c = hsCases[3]!;
    const base = JSON.parse(c.derived.payloadJson) as Record<string, unknown>;
    fc.assert(
      fc.property(
        fc.constantFrom('applicationKey', 'challenge', 'activationId'),
        fc.jsonValue(),
        (key, value) => {
          const mutated = withPart(
            c.output.jwt,
            1,
            encodeBase64Url(utf8Encode(JSON.stringify({ ...base, [key]: value }))),
          );
          try {
            parseKeystoreRequestJwt(mutated);
          } catch (e) {
            expect(e).toBeInstanceOf(ProtocolError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
