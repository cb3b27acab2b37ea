/**
 * Every REST endpoint over real HTTP (in-process server on a random port, in-memory PGlite): success shapes,
 * envelopes and headers, unknown fields ignored, the `biometryAllowed` alias, the three accepted forms of a
 * fieldless body, health, metrics, OpenAPI and its viewer.
 */
import { randomBytes } from 'node:crypto';
import { REST_METHODS } from '@offcode/fastify/internal';
import { decodeBase64Strict, encodeBase64, generateKeyPair } from '@offcode/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../src/start.js';
import {
  type AnyJson,
  activateToken,
  DEMO_APP,
  http,
  issuePayload,
  offlinePaths,
  ok,
  rest,
  startTestApi,
  TEST_SUITE,
  UUID_RE,
} from './harness.js';

let api: RunningApi;
let base: string;

beforeAll(async () => {
  api = await startTestApi();
  base = api.url;
});
afterAll(async () => {
  await api?.close();
});

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const b64Length = (s: string): number => decodeBase64Strict(s, 'value').length;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('envelope and headers', () => {
  it('answers every response with Cache-Control: no-store and an X-Request-Id (echoed when well-formed)', async () => {
    const echoed = await http(base, '/rest/v3/status', {
      method: 'GET',
      headers: { 'x-request-id': 'abc-123.x:y' },
    });
    expect(echoed.status).toBe(200);
    expect(echoed.headers.get('cache-control')).toBe('no-store');
    expect(echoed.headers.get('x-request-id')).toBe('abc-123.x:y');
    const generated = await http(base, '/rest/v3/status', {
      method: 'GET',
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(generated.headers.get('x-request-id')).toMatch(UUID_RE);
    const error = await http(base, '/nope', { method: 'GET' });
    expect(error.status).toBe(404);
    expect(error.headers.get('cache-control')).toBe('no-store');
    expect(error.headers.get('x-request-id')).toMatch(UUID_RE);
    expect(error.json).toEqual({
      status: 'ERROR',
      responseObject: { code: 'ERROR_NOT_FOUND', message: 'Not found.', localizedMessage: 'Not found.' },
    });
  });

  it('accepts an empty body, {} and {"requestObject":{}} for fieldless methods', async () => {
    for (const raw of [undefined, '{}', '{"requestObject":{}}', '{"requestObject":null}']) {
      const r = await http(base, '/rest/v3/application/list', {
        ...(raw === undefined ? {} : { raw, headers: { 'content-type': 'application/json' } }),
      });
      expect(r.status, String(raw)).toBe(200);
      expect((r.json as { status: string }).status).toBe('OK');
    }
  });

  it('rejects a missing or null requestObject on methods with fields (ERR0024 naming requestObject)', async () => {
    for (const raw of [undefined, '{}', '{"requestObject":null}']) {
      const r = await http<{ responseObject: { code: string; message: string } }>(
        base,
        '/rest/v3/activation/status',
        {
          ...(raw === undefined ? {} : { raw, headers: { 'content-type': 'application/json' } }),
        },
      );
      expect(r.status).toBe(400);
      expect(r.json.responseObject.code).toBe('ERR0024');
      expect(r.json.responseObject.message).toContain('requestObject');
    }
  });
});

describe('applications', () => {
  it('creates, details, lists and versions applications under /rest/v3 and /rest/v4', async () => {
    const name = `bank-${randomBytes(3).toString('hex')}`;
    const created = await ok(base, '/rest/v3/application/create', {
      applicationId: name,
      applicationRoles: ['ROLE_A'],
      someFutureField: { nested: true },
    });
    expect(created).toEqual({ applicationId: name, applicationRoles: ['ROLE_A'] });
    const v4 = await ok(base, '/rest/v4/application/create', { applicationId: `${name}-v4` });
    expect(v4).toEqual({ applicationId: `${name}-v4`, applicationRoles: [] });

    for (const prefix of ['/rest/v3', '/rest/v4']) {
      const detail = await ok(base, `${prefix}/application/detail`, { applicationId: name });
      expect(detail.applicationId).toBe(name);
      expect(detail.applicationRoles).toEqual(['ROLE_A']);
      expect(b64Length(detail.masterPublicKey)).toBe(65);
      expect(b64Length(detail.masterPublicKeys.EC_P256)).toBe(65);
      expect(b64Length(detail.masterPublicKeys.EC_P384)).toBe(97);
      expect(detail.masterPublicKeys.EC_P256).toBe(detail.masterPublicKey);
      expect(detail.commitOnKeyExchange).toBe(false);
      expect(detail.versions).toHaveLength(1);
      expect(detail.versions[0]).toMatchObject({
        applicationVersionId: 'default',
        supported: true,
      });
      // PowerAuth's configuration string: 0x01 | key | secret | 1 key | id 0x01 | 65 | P-256 master key.
      const sdk = Buffer.from(detail.versions[0].mobileSdkConfig, 'base64');
      expect(sdk.toString('hex')).toBe(
        Buffer.concat([
          Buffer.from([1]),
          Buffer.from(detail.versions[0].applicationKey, 'base64'),
          Buffer.from(detail.versions[0].applicationSecret, 'base64'),
          Buffer.from([1, 1, 65]),
          Buffer.from(detail.masterPublicKey, 'base64'),
        ]).toString('hex'),
      );
      expect(b64Length(detail.versions[0].applicationKey)).toBe(16);
      expect(b64Length(detail.versions[0].applicationSecret)).toBe(16);
    }

    const version = await ok(base, '/rest/v4/application/version/create', {
      applicationId: name,
      applicationVersionId: '2.0',
    });
    expect(version).toMatchObject({ applicationVersionId: '2.0', supported: true });
    expect(version.applicationKey).toMatch(B64);
    expect(version.applicationSecret).toMatch(B64);

    const list = await ok(base, '/rest/v3/application/list');
    expect(list.applications).toEqual(
      expect.arrayContaining([{ applicationId: name, applicationRoles: ['ROLE_A'] }]),
    );
    const list4 = await ok(base, '/rest/v4/application/list', {});
    expect(list4.applications.length).toBe(list.applications.length);
  });
});

describe('activations', () => {
  it('init → exchange (PENDING_COMMIT) → commit → status → block → unblock → remove', async () => {
    const app = `commit-${randomBytes(3).toString('hex')}`;
    await ok(base, '/rest/v3/application/create', { applicationId: app });
    const init = await ok(base, '/rest/v3/activation/init', {
      userId: 'bob',
      applicationId: app,
      flags: ['F1'],
      unknown: 1,
    });
    expect(init.activationId).toMatch(UUID_RE);
    expect(init.activationCode).toMatch(/^[A-Z2-7]{5}(-[A-Z2-7]{5}){3}$/);
    expect(init.activationSignature).toMatch(B64);
    expect(init.activationSignatures.EC_P256).toBe(init.activationSignature);
    expect(init.activationSignatures.EC_P384).toMatch(B64);
    expect(init).toMatchObject({ userId: 'bob', applicationId: app });

    const created = await ok(base, '/rest/v4/activation/status', { activationId: init.activationId });
    expect(created).toMatchObject({
      activationStatus: 'CREATED',
      activationCode: init.activationCode,
      version: null,
      protocol: 'powerauth',
    });

    const { OffcodeToken, MemoryTokenStore } = await import('@offcode/client');
    const token = new OffcodeToken({ store: new MemoryTokenStore() });
    const tokenStatus = await token.activate({
      serverUrl: base,
      applicationId: app,
      activationCode: init.activationCode,
      pin: '1234',
      protocol: 4,
    });
    expect(tokenStatus.activationStatus).toBe('PENDING_COMMIT');

    const commit = await ok(base, '/rest/v3/activation/commit', {
      activationId: init.activationId,
      externalUserId: 'operator',
    });
    expect(commit).toEqual({ activationId: init.activationId, activated: true });

    const status = await ok(base, '/rest/v3/activation/status', {
      activationId: init.activationId.toUpperCase(),
    });
    expect(status).toMatchObject({
      activationId: init.activationId,
      activationStatus: 'ACTIVE',
      blockedReason: null,
      userId: 'bob',
      applicationId: app,
      activationFlags: ['F1'],
      failedAttempts: 0,
      maxFailedAttempts: 5,
      commitPhase: 'ON_COMMIT',
      protocol: 'powerauth',
      version: 4,
      protocolVersion: 4,
      counter: 0,
      activationCode: null,
      activationSignature: null,
      encryptedStatusBlob: null,
      biometryEnabled: false,
    });
    expect(status.timestampCreated).toMatch(ISO);
    expect(status.timestampLastChange).toMatch(ISO);

    const block = await ok(base, '/rest/v4/activation/block', {
      activationId: init.activationId,
      reason: 'LOST',
    });
    expect(block).toEqual({
      activationId: init.activationId,
      activationStatus: 'BLOCKED',
      blockedReason: 'LOST',
    });
    const unblock = await ok(base, '/rest/v3/activation/unblock', { activationId: init.activationId });
    expect(unblock).toEqual({ activationId: init.activationId, activationStatus: 'ACTIVE' });
    const removed = await ok(base, '/rest/v4/activation/remove', { activationId: init.activationId });
    expect(removed).toEqual({ activationId: init.activationId, removed: true });
    const after = await ok(base, '/rest/v3/activation/status', { activationId: init.activationId });
    expect(after.activationStatus).toBe('REMOVED');
  });

  it('status of an unknown activation is 200 REMOVED with null fields and empty lists', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const status = await ok(base, '/rest/v3/activation/status', { activationId: id });
    expect(status).toMatchObject({
      activationId: id,
      activationStatus: 'REMOVED',
      userId: null,
      applicationRoles: [],
      activationFlags: [],
    });
  });

  it('exchange answers the device keys (V3 and V4 sizes) and is idempotent for the same device key', async () => {
    for (const protocol of [3, 4] as const) {
      const init = await ok(base, '/rest/v3/activation/init', { userId: 'carol', applicationId: DEMO_APP });
      const { getPublicKeyFromDevice } = await deviceKey(protocol);
      const request = {
        activationCode: init.activationCode.toLowerCase(),
        protocolVersion: protocol,
        devicePublicKey: getPublicKeyFromDevice,
        applicationId: DEMO_APP,
        activationName: 'phone',
        enableBiometry: 'true',
      };
      const first = await ok(base, '/rest/offcode/activation/exchange', request);
      expect(first).toMatchObject({
        activationId: init.activationId,
        userId: 'carol',
        activationStatus: 'ACTIVE',
        protocolVersion: protocol,
        offlineComponentLength: 8,
      });
      expect(b64Length(first.serverPublicKey)).toBe(protocol === 3 ? 65 : 97);
      expect(b64Length(first.masterPublicKey)).toBe(protocol === 3 ? 65 : 97);
      expect(b64Length(first.ctrData)).toBe(protocol === 3 ? 16 : 32);
      const again = await ok(base, '/rest/offcode/activation/exchange', request);
      expect(again).toEqual(first);
    }
  });
});

/** A device public key (uncompressed SEC1, Base64) of the protocol's curve. */
async function deviceKey(protocol: 3 | 4): Promise<{ getPublicKeyFromDevice: string }> {
  return {
    getPublicKeyFromDevice: encodeBase64(
      generateKeyPair(TEST_SUITE, protocol === 3 ? 'P-256' : 'P-384').publicKey,
    ),
  };
}

describe('offline payloads and verification', () => {
  for (const version of [3, 4] as const) {
    it(`V${version}: personalized create → code → verify valid, then the same code is refused (OFF-0103)`, async () => {
      const { token, activationId, userId } = await activateToken(base, { protocol: version });
      const issued = await issuePayload(base, version, { activationId });
      expect(issued.response.nonce).toMatch(B64);
      expect(issued.response.expiresAt).toMatch(ISO);
      const lines = issued.offlineData.split('\n');
      expect(lines.at(-2)).toBe(issued.nonce);
      expect(lines.at(-1)![0]).toBe(version === 3 ? '1' : '2');
      const { code } = await token.approve(issued.offlineData, { pin: '1234' });
      const paths = offlinePaths(version);
      const verify = await ok(base, paths.verify, {
        activationId,
        data: issued.requestData,
        [paths.codeField]: code,
        ignoredField: 'x',
      });
      expect(verify).toMatchObject({
        [paths.validField]: true,
        activationStatus: 'ACTIVE',
        blockedReason: null,
        activationId,
        userId,
        applicationId: DEMO_APP,
        [paths.typeField]: 'POSSESSION_KNOWLEDGE',
        remainingAttempts: 5,
        applicationRoles: [],
        activationFlags: [],
        blockExpiresAt: null,
        protocolVersion: version,
      });
      const again = await rest(base, paths.verify, {
        activationId,
        data: issued.requestData,
        [paths.codeField]: code,
      });
      expect(again.status).toBe(400);
      expect(again.body.responseObject.code).toBe('OFF-0103');
    });

    it(`V${version}: non-personalized create (key type 0) verifies with the activation's code`, async () => {
      const { token, activationId } = await activateToken(base, { protocol: version });
      const issued = await issuePayload(base, version, { applicationId: DEMO_APP });
      const lines = issued.offlineData.split('\n');
      expect(lines.at(-1)!.startsWith('0')).toBe(true);
      const { code } = await token.approve(issued.offlineData, { pin: '1234' });
      const paths = offlinePaths(version);
      const verify = await ok(base, paths.verify, {
        activationId,
        data: issued.requestData,
        [paths.codeField]: code,
      });
      expect(verify[paths.validField]).toBe(true);
    });

    it(`V${version}: biometry code needs allowBiometry or its alias biometryAllowed (PA spelling); both must agree`, async () => {
      const { token, activationId } = await activateToken(base, { protocol: version, enableBiometry: true });
      const paths = offlinePaths(version);
      // Without the flag the biometry type is not tried: invalid, one failed attempt.
      const first = await issuePayload(base, version, { activationId }, { biometry: true });
      const bio1 = await token.approve(first.offlineData, { biometry: true });
      const without = await ok(base, paths.verify, {
        activationId,
        data: first.requestData,
        [paths.codeField]: bio1.code,
      });
      expect(without[paths.validField]).toBe(false);
      expect(without.remainingAttempts).toBe(4);
      // The alias.
      const second = await issuePayload(base, version, { activationId }, { biometry: true });
      const bio2 = await token.approve(second.offlineData, { biometry: true });
      const alias = await ok(base, paths.verify, {
        activationId,
        data: second.requestData,
        [paths.codeField]: bio2.code,
        biometryAllowed: true,
      });
      expect(alias[paths.validField]).toBe(true);
      expect(alias[paths.typeField]).toBe('POSSESSION_BIOMETRY');
      expect(alias.remainingAttempts).toBe(5);
      // The PA name, with a Jackson-style string boolean.
      const third = await issuePayload(base, version, { activationId }, { biometry: true });
      const bio3 = await token.approve(third.offlineData, { biometry: true });
      const named = await ok(base, paths.verify, {
        activationId,
        data: third.requestData,
        [paths.codeField]: bio3.code,
        allowBiometry: 'true',
      });
      expect(named[paths.typeField]).toBe('POSSESSION_BIOMETRY');
      // Disagreeing spellings are refused before any work.
      const conflict = await rest(base, paths.verify, {
        activationId,
        data: third.requestData,
        [paths.codeField]: bio3.code,
        allowBiometry: true,
        biometryAllowed: false,
      });
      expect(conflict.status).toBe(400);
      expect(conflict.body.responseObject.code).toBe('ERR0024');
      expect(conflict.body.responseObject.message).toContain('biometryAllowed');
    });

    it(`V${version}: proximity check (TOTP line in the QR, seed given again at verify)`, async () => {
      const { token, activationId } = await activateToken(base, { protocol: version });
      const seed = encodeBase64(new Uint8Array(randomBytes(16)));
      const issued = await issuePayload(
        base,
        version,
        { activationId },
        { proximity: { seed, stepLength: 30 } },
      );
      // data (5 lines) + TOTP + nonce + key type and signature.
      expect(issued.offlineData.split('\n').length).toBe(8);
      const { code } = await token.approve(issued.offlineData, { pin: '1234' });
      const paths = offlinePaths(version);
      const verify = await ok(base, paths.verify, {
        activationId,
        data: issued.requestData,
        [paths.codeField]: code,
        proximityCheck: { seed, stepLength: '30', stepCount: 1 },
      });
      expect(verify[paths.validField]).toBe(true);
    });
  }

  it('a wrong code is a normal failed attempt; an unknown activation is 200 REMOVED with nothing written', async () => {
    const { activationId } = await activateToken(base, { protocol: 3 });
    const issued = await issuePayload(base, 3, { activationId });
    const wrong = await ok(base, '/rest/v3/signature/offline/verify', {
      activationId,
      data: issued.requestData,
      signature: '00000000-00000000',
    });
    expect(wrong).toMatchObject({
      signatureValid: false,
      activationStatus: 'ACTIVE',
      remainingAttempts: 4,
      signatureType: 'POSSESSION_KNOWLEDGE',
    });
    const shape = await ok(base, '/rest/v3/signature/offline/verify', {
      activationId,
      data: issued.requestData,
      signature: '1234-5678',
    });
    expect(shape).toMatchObject({ signatureValid: false, remainingAttempts: 3 });
    const unknown = await ok(base, '/rest/v4/auth/offline/verify', {
      activationId: '11111111-2222-4333-8444-555555555555',
      data: issued.requestData,
      authenticationCode: '12345678-12345678',
    });
    expect(unknown).toEqual({
      authenticationValid: false,
      activationStatus: 'REMOVED',
      blockedReason: null,
      activationId: '11111111-2222-4333-8444-555555555555',
      userId: null,
      applicationId: null,
      remainingAttempts: 0,
      applicationRoles: [],
      activationFlags: [],
      blockExpiresAt: null,
      protocolVersion: null,
      authenticationCodeType: 'POSSESSION_KNOWLEDGE',
    });
  });

  it('five wrong codes block the activation with MAX_FAILED_ATTEMPTS and remaining attempts 0', async () => {
    const { activationId } = await activateToken(base, { protocol: 4 });
    const issued = await issuePayload(base, 4, { activationId });
    let last: Record<string, unknown> = {};
    for (let i = 0; i < 5; i++) {
      last = await ok(base, '/rest/v4/auth/offline/verify', {
        activationId,
        data: issued.requestData,
        authenticationCode: '11111111-22222222',
      });
      expect(last.remainingAttempts).toBe(i === 4 ? 0 : 4 - i);
    }
    expect(last).toMatchObject({
      authenticationValid: false,
      activationStatus: 'BLOCKED',
      blockedReason: 'MAX_FAILED_ATTEMPTS',
    });
  });
});

describe('audit list', () => {
  it('lists verifications newest first under both paths, never returning the code', async () => {
    const { token, activationId, userId } = await activateToken(base, { protocol: 3 });
    const issued = await issuePayload(base, 3, { activationId });
    const { code } = await token.approve(issued.offlineData, { pin: '1234' });
    await ok(base, '/rest/v3/signature/offline/verify', {
      activationId,
      data: issued.requestData,
      signature: '99999999-99999999',
    });
    await ok(base, '/rest/v3/signature/offline/verify', {
      activationId,
      data: issued.requestData,
      signature: code,
    });
    const byUser = await ok(base, '/rest/v3/signature/list', { userId, applicationId: DEMO_APP });
    expect(byUser.items).toHaveLength(2);
    const [newest, oldest] = byUser.items;
    expect(newest).toMatchObject({
      userId,
      applicationId: DEMO_APP,
      activationId,
      valid: true,
      signature: null,
      version: 3,
      note: 'signature_ok',
      signatureType: 'POSSESSION_KNOWLEDGE',
      activationStatus: 'ACTIVE',
    });
    expect(oldest).toMatchObject({ valid: false, note: 'signature_does_not_match' });
    expect(newest.id).toBeGreaterThan(oldest.id);
    expect(Buffer.from(newest.dataBase64, 'base64').toString('utf8')).toBe(`${issued.requestData}&offline`);
    expect(newest.timestampCreated).toMatch(ISO);
    expect(JSON.stringify(byUser)).not.toContain(code);
    const byActivation = await ok(base, '/rest/v4/audit/list', { activationId, limit: 1 });
    expect(byActivation.items).toHaveLength(1);
    expect(byActivation.items[0].id).toBe(newest.id);
    const page2 = await ok(base, '/rest/v4/audit/list', { activationId, beforeId: newest.id });
    expect(page2.items.map((i: { id: number }) => i.id)).toEqual([oldest.id]);
  });
});

describe('system', () => {
  it('status answers GET and POST on /rest/v3 and /rest/v4', async () => {
    for (const path of ['/rest/v3/status', '/rest/v4/status']) {
      for (const method of ['GET', 'POST']) {
        const r = await http<{ status: string; responseObject: Record<string, unknown> }>(base, path, {
          method,
        });
        expect(r.status).toBe(200);
        expect(r.json.status).toBe('OK');
        expect(r.json.responseObject).toMatchObject({
          status: 'OK',
          applicationName: 'offcode',
          applicationDisplayName: 'Offcode Server',
          applicationEnvironment: '',
          protocolVersions: [3, 4],
          database: 'pglite',
          encryptionAtRest: false,
          payloadRegistry: 'enforce',
        });
        expect(['wasm', 'noble']).toContain(r.json.responseObject.cryptoBackend);
        expect(r.json.responseObject.timestamp).toMatch(ISO);
      }
    }
  });

  it('error/list returns both code tables', async () => {
    const list = await ok(base, '/rest/v3/error/list', { language: 'en' });
    const codes = list.errors.map((e: { code: string }) => e.code);
    for (const code of ['ERR0000', 'ERR0009', 'ERR0024', 'ERR0047', 'OFF-0001', 'OFF-0103', 'OFF-0201'])
      expect(codes).toContain(code);
    for (const e of list.errors) expect(typeof e.value).toBe('string');
  });

  it('healthz answers "ok" after a database round trip', async () => {
    const r = await http(base, '/healthz', { method: 'GET' });
    expect(r.status).toBe(200);
    expect(r.text).toBe('ok');
    expect(r.headers.get('content-type')).toContain('text/plain');
  });

  it('metrics: Prometheus text with verify outcomes, payload counts, HTTP counters by route template and build info', async () => {
    const { token, activationId } = await activateToken(base, { protocol: 4 });
    const issued = await issuePayload(base, 4, { activationId });
    const { code } = await token.approve(issued.offlineData, { pin: '1234' });
    await ok(base, '/rest/v4/auth/offline/verify', {
      activationId,
      data: issued.requestData,
      authenticationCode: code,
    });
    const r = await http(base, '/metrics', { method: 'GET' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(r.text).toMatch(/^offcode_verify_total\{protocol="4",outcome="valid"\} [1-9]\d*$/m);
    expect(r.text).toMatch(/^offcode_verify_total\{protocol="3",outcome="invalid"\} [1-9]\d*$/m);
    expect(r.text).toMatch(/^offcode_verify_total\{protocol="4",outcome="unknown_activation"\} [1-9]\d*$/m);
    expect(r.text).toMatch(/^offcode_verify_total\{protocol="3",outcome="registry_rejected"\} [1-9]\d*$/m);
    expect(r.text).toMatch(
      /^offcode_payload_created_total\{protocol="4",kind="personalized",proximity="false"\} [1-9]\d*$/m,
    );
    expect(r.text).toMatch(
      /^offcode_activation_blocked_total\{reason="MAX_FAILED_ATTEMPTS",temporary="false"\} 1$/m,
    );
    expect(r.text).toMatch(
      /^offcode_http_requests_total\{route="\/rest\/v4\/auth\/offline\/verify",method="POST",status="200"\} \d+$/m,
    );
    expect(r.text).toMatch(/^offcode_verify_duration_seconds_count\{protocol="4"\} \d+$/m);
    // The fresh token's first code matches at window position 0.
    expect(r.text).toMatch(/^offcode_verify_window_position_bucket\{le="0"\} [1-9]\d*$/m);
    expect(r.text).toMatch(
      /^offcode_build_info\{version="0\.1\.0",crypto_backend="(wasm|noble)",database="pglite"\} 1$/m,
    );
    // Labels carry route templates, never ids.
    expect(r.text).not.toMatch(UUID_RE.source.slice(1, -1));
  });

  it('openapi.json is OpenAPI 3.0.3 built from the validating schemas, listing every REST route', async () => {
    const r = await http<Record<string, AnyJson>>(base, '/openapi.json', { method: 'GET' });
    expect(r.status).toBe(200);
    const doc = r.json;
    expect(doc.openapi).toBe('3.0.3');
    const paths = Object.keys(doc.paths);
    for (const m of REST_METHODS) for (const p of m.paths) expect(paths).toContain(p);
    expect(paths).toEqual(expect.arrayContaining(['/healthz', '/metrics', '/openapi.json', '/docs']));
    expect(paths.some((p) => p.startsWith('/demo'))).toBe(false);
    // The request schema is exactly what the server validates with.
    const verify = doc.paths['/rest/v3/signature/offline/verify'].post;
    expect(verify.requestBody.content['application/json'].schema.properties.requestObject).toEqual(
      api.offcode.schemas.verifyV3.json(),
    );
    expect(
      verify.responses['200'].content['application/json'].schema.properties.responseObject.properties
        .signatureValid,
    ).toEqual({ type: 'boolean' });
    expect(verify.responses['400'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ErrorEnvelope',
    });
    expect(doc.paths['/rest/v3/status'].get).toBeDefined();
    const ids = Object.values(doc.paths).flatMap((item: AnyJson) =>
      Object.values(item).map((op: AnyJson) => op.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('/docs serves the Swagger UI viewer and its assets locally', async () => {
    const page = await http(base, '/docs', { method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('/docs/swagger-ui-bundle.js');
    const init = await http(base, '/docs/init.js', { method: 'GET' });
    expect(init.text).toContain("url: '/openapi.json'");
    for (const asset of ['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/init.js']) {
      const a = await http(base, asset, { method: 'GET' });
      expect(a.status, asset).toBe(200);
      expect(a.text.length).toBeGreaterThan(10);
    }
  });

  it('the REST method table covers every route of server.md §2.0', () => {
    const all = REST_METHODS.flatMap((m) => m.paths);
    const expected = [
      '/rest/v3/signature/offline/personalized/create',
      '/rest/v3/signature/offline/non-personalized/create',
      '/rest/v3/signature/offline/verify',
      '/rest/v4/auth/offline/personalized/create',
      '/rest/v4/auth/offline/non-personalized/create',
      '/rest/v4/auth/offline/verify',
      ...[
        'application/create',
        'application/detail',
        'application/list',
        'application/version/create',
      ].flatMap((s) => [`/rest/v3/${s}`, `/rest/v4/${s}`]),
      ...['init', 'commit', 'status', 'block', 'unblock', 'remove'].flatMap((s) => [
        `/rest/v3/activation/${s}`,
        `/rest/v4/activation/${s}`,
      ]),
      '/rest/offcode/activation/exchange',
      '/rest/v3/signature/list',
      '/rest/v4/audit/list',
      '/rest/v3/status',
      '/rest/v4/status',
      '/rest/v3/error/list',
    ];
    expect([...all].sort()).toEqual([...expected].sort());
  });
});
