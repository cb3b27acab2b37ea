/**
 * `ActivateInput.mobileSdkConfig`: the PowerAuth mobile SDK configuration string from the application
 * detail enrols against the test server (the real @offcode/fastify /pa/v3 routes over HTTP) exactly as the
 * three values do; every string that cannot stand for them, or comes with them, is INVALID_INPUT on the
 * field `mobileSdkConfig` before any network call, never a ProtocolError, and never echoes the secret.
 */
import { encodeBase64 } from '@offcode/protocol';
import { encodeMobileSdkConfig, parseMobileSdkConfig } from '@offcode/protocol/pa3';
import {
  APP,
  issuePayload,
  newActivationCode,
  useServer,
  verifyOnServer,
} from '@offcode/test-harness/server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fails } from '../../test/helpers.js';
import { OffcodeClientError } from '../errors.js';
import { MemoryTokenStore } from '../stores/memory.js';
import { OffcodeToken } from '../token.js';
import type { ActivateInput } from '../types.js';
import { resolveMobileSdkConfig } from './sdk-config.js';

const h = useServer();

async function applicationVersion() {
  const detail = await h.server.applications.detail({ applicationId: APP });
  const supported = detail.versions.find((v) => v.supported)!;
  if (supported.mobileSdkConfig === null) throw new Error('the test application has no P-256 master key');
  const version = { ...supported, mobileSdkConfig: supported.mobileSdkConfig };
  return { version, masterKey: detail.masterPublicKeys.EC_P256! };
}

const noNetwork = () => {
  throw new Error('the network must not be used');
};

/** A valid configuration string with other key 1 bytes, or with key 1 left out. */
function configWith(base: string, keys: [number, Uint8Array][]): string {
  const c = parseMobileSdkConfig(base);
  return encodeMobileSdkConfig({
    applicationKey: c.applicationKey,
    applicationSecret: c.applicationSecret,
    keys,
  });
}

describe('activate with mobileSdkConfig against the test server', () => {
  it('enrols through /pa/v3 to ACTIVE; the code it computes verifies on the server', async () => {
    const { version } = await applicationVersion();
    const { activationId, activationCode } = await newActivationCode(h);
    const token = new OffcodeToken({ store: new MemoryTokenStore() });
    const before = h.requests.length;
    const status = await token.activate({
      serverUrl: h.url,
      activationCode,
      pin: '1234',
      mobileSdkConfig: version.mobileSdkConfig,
    });
    expect(status).toMatchObject({
      activationId,
      protocol: 3,
      activationStatus: 'ACTIVE',
      applicationId: version.applicationKey,
    });
    expect(h.requests.slice(before).map((r) => r.path)).toEqual([
      '/pa/v3/keystore/create',
      '/pa/v3/activation/create',
      '/pa/v3/activation/status',
    ]);
    expect((await h.server.activations.status({ activationId })).activationStatus).toBe('ACTIVE');
    const op = await issuePayload(h, { protocol: 3, activationId });
    const scanned = await token.scan(op.offlineData);
    const { code } = await token.approve(scanned, { pin: '1234' });
    expect(await verifyOnServer(h, 3, activationId, op, code)).toMatchObject({ valid: true });
  });

  it('resolves to the same three values the application detail lists one by one', async () => {
    const { version, masterKey } = await applicationVersion();
    const input = {
      serverUrl: h.url,
      activationCode: 'x',
      pin: '1234',
      mobileSdkConfig: version.mobileSdkConfig,
    };
    const r = resolveMobileSdkConfig(input);
    expect(r).toMatchObject({
      mechanism: 'powerauth',
      applicationKey: version.applicationKey,
      applicationSecret: version.applicationSecret,
    });
    expect(encodeBase64(r.masterPublicKey as Uint8Array)).toBe(masterKey);
    expect(r).not.toHaveProperty('mobileSdkConfig');
    expect(input.mobileSdkConfig).toBe(version.mobileSdkConfig); // the caller's object is left as it was
  });
});

describe('mobileSdkConfig refusals: INVALID_INPUT on mobileSdkConfig, no network call', () => {
  it('every refusal case', async () => {
    const { version, masterKey } = await applicationVersion();
    const good = version.mobileSdkConfig;
    const key1 = parseMobileSdkConfig(good).keys.get(1)!;
    const cases: [string, Partial<ActivateInput> | Record<string, unknown>][] = [
      ['with applicationKey', { applicationKey: version.applicationKey }],
      ['with applicationSecret', { applicationSecret: version.applicationSecret }],
      ['with masterPublicKey', { masterPublicKey: masterKey }],
      ['with protocol 4', { protocol: 4 }],
      ['with mechanism plain', { mechanism: 'plain' }],
      ['not a string', { mobileSdkConfig: 42 }],
      ['empty', { mobileSdkConfig: '' }],
      ['not Base64', { mobileSdkConfig: `${good.slice(0, -4)}***=` }],
      ['truncated', { mobileSdkConfig: encodeBase64(Buffer.from(good, 'base64').subarray(0, 40)) }],
      [
        'trailing byte',
        { mobileSdkConfig: encodeBase64(Buffer.concat([Buffer.from(good, 'base64'), Buffer.of(0)])) },
      ],
      [
        'version 2',
        {
          mobileSdkConfig: encodeBase64(
            Buffer.concat([Buffer.of(2), Buffer.from(good, 'base64').subarray(1)]),
          ),
        },
      ],
      ['no key 1', { mobileSdkConfig: configWith(good, [[2, new Uint8Array(97)]]) }],
      ['no keys at all', { mobileSdkConfig: configWith(good, []) }],
      [
        'key 1 not a P-256 point',
        { mobileSdkConfig: configWith(good, [[1, key1.map((b, i) => (i === 0 ? 5 : b))]]) },
      ],
    ];
    for (const [name, patch] of cases) {
      const token = new OffcodeToken({ store: new MemoryTokenStore(), fetch: noNetwork });
      const input = { serverUrl: h.url, activationCode: 'x', pin: '1234', mobileSdkConfig: good, ...patch };
      const e = await fails(token.activate(input as ActivateInput), 'INVALID_INPUT');
      expect(e.field, name).toBe('mobileSdkConfig');
      expect(e.message, name).not.toContain(version.applicationSecret);
      expect(e.message, name).not.toContain(good);
    }
  });

  it('both given: the message says to give one or the other', async () => {
    const { version } = await applicationVersion();
    const token = new OffcodeToken({ store: new MemoryTokenStore(), fetch: noNetwork });
    const e = await fails(
      token.activate({
        serverUrl: h.url,
        activationCode: 'x',
        pin: '1234',
        mobileSdkConfig: version.mobileSdkConfig,
        applicationSecret: version.applicationSecret,
      }),
      'INVALID_INPUT',
    );
    expect(e.message).toMatch(/^give mobileSdkConfig or the three values, not both/);
    expect(e.message).not.toContain(version.applicationSecret);
  });

  it('property: any string parses to the PowerAuth inputs or is INVALID_INPUT mobileSdkConfig, never a network call', async () => {
    const { version } = await applicationVersion();
    const good = Buffer.from(version.mobileSdkConfig, 'base64');
    const text = fc.oneof(
      fc.string(),
      fc.uint8Array({ maxLength: 200 }).map((b) => encodeBase64(b)),
      // near misses of the real string: one byte changed, or cut, or extended
      fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
        const b = Buffer.from(good);
        b[i] = b[i]! ^ x;
        return encodeBase64(b);
      }),
      fc.nat(good.length + 4).map((n) => encodeBase64(Buffer.concat([good, Buffer.alloc(4)]).subarray(0, n))),
    );
    await fc.assert(
      fc.asyncProperty(text, async (mobileSdkConfig) => {
        let parsed = true;
        try {
          const c = parseMobileSdkConfig(mobileSdkConfig);
          parsed = c.keys.has(1);
        } catch {
          parsed = false;
        }
        let fetched = false;
        const token = new OffcodeToken({
          store: new MemoryTokenStore(),
          fetch: () => {
            fetched = true;
            throw new Error('the network must not be used');
          },
        });
        // A code of the wrong format stops the resolved input right after: nothing is ever sent.
        const e = await token
          .activate({ serverUrl: h.url, activationCode: 'x', pin: '1234', mobileSdkConfig })
          .then(
            () => null,
            (x: unknown) => x,
          );
        expect(fetched).toBe(false);
        expect(e).toBeInstanceOf(OffcodeClientError);
        const err = e as OffcodeClientError;
        expect(err.code).toBe('INVALID_INPUT');
        if (err.field === 'mobileSdkConfig') return;
        // Anything else means the string resolved and the next check (the activation code) refused.
        expect(parsed).toBe(true);
        expect(err.field).toBe('activationCode');
      }),
      { numRuns: 300 },
    );
  });
});
