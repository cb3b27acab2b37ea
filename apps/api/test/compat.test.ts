/**
 * PowerAuth REST compatibility of the offline methods: requests shaped exactly as a PowerAuth Server client
 * sends them (field names of the PA method references, as listed in server.md §2.1–§2.2, envelope
 * `{"requestObject": …}`), and responses checked as such a client reads them: every PA field present with
 * its JSON type, enums by name, and nothing beyond the documented Offcode extensions.
 */
import { randomBytes } from 'node:crypto';
import { encodeBase64 } from '@offcode/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../src/start.js';
import { type AnyJson, activateToken, DEMO_APP, http, issuePayload, startTestApi } from './harness.js';

let api: RunningApi;
let base: string;

beforeAll(async () => {
  api = await startTestApi();
  base = api.url;
});
afterAll(async () => {
  await api?.close();
});

type JsonType = 'string' | 'boolean' | 'integer' | 'string[]' | 'string|null' | 'integer|null';

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string') ? 'string[]' : 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Every PA field with its type; `ext` lists the only extra fields allowed (Offcode extensions). */
function expectShape(
  obj: Record<string, unknown>,
  pa: Record<string, JsonType>,
  ext: Record<string, JsonType>,
): void {
  for (const [key, type] of Object.entries({ ...pa, ...ext })) {
    expect(Object.hasOwn(obj, key), `field ${key} missing`).toBe(true);
    const actual = typeOf(obj[key]);
    expect(type.split('|'), `${key}: ${actual}`).toContain(actual);
  }
  expect(Object.keys(obj).filter((k) => !(k in pa) && !(k in ext))).toEqual([]);
}

const STATUS = ['CREATED', 'PENDING_COMMIT', 'ACTIVE', 'BLOCKED', 'REMOVED'];
const TYPES = [
  'POSSESSION',
  'KNOWLEDGE',
  'BIOMETRY',
  'POSSESSION_KNOWLEDGE',
  'POSSESSION_BIOMETRY',
  'POSSESSION_KNOWLEDGE_BIOMETRY',
];

const PA_PAYLOAD = { offlineData: 'string', nonce: 'string' } as const;
const EXT_PAYLOAD = { expiresAt: 'string|null' } as const;

const PA_VERIFY_COMMON = {
  activationStatus: 'string',
  blockedReason: 'string|null',
  activationId: 'string',
  userId: 'string|null',
  applicationId: 'string|null',
  remainingAttempts: 'integer',
  applicationRoles: 'string[]',
  activationFlags: 'string[]',
} as const;
const EXT_VERIFY = { blockExpiresAt: 'string|null', protocolVersion: 'integer|null' } as const;

/** The raw PowerAuth call: POST, JSON, `{"requestObject": …}`, answer `{"status","responseObject"}`. */
async function paCall(
  path: string,
  requestObject: Record<string, unknown>,
): Promise<{ status: number; body: AnyJson }> {
  const r = await http(base, path, {
    raw: JSON.stringify({ requestObject }),
    headers: { 'content-type': 'application/json', accept: 'application/json' },
  });
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: r.status, body: r.json };
}

describe('V3 (PowerAuth 1.x "signature" methods)', () => {
  it('createPersonalizedOfflineSignaturePayload → verifyOfflineSignature, valid and invalid', async () => {
    const { token, activationId, userId } = await activateToken(base, { protocol: 3 });
    const data = 'operation-1\nPayment\nPay 100 EUR\nA1*A100EUR*ICZ2730300000001165254011\n';
    const created = await paCall('/rest/v3/signature/offline/personalized/create', { activationId, data });
    expect(created.status).toBe(200);
    expect(created.body.status).toBe('OK');
    expectShape(created.body.responseObject, PA_PAYLOAD, EXT_PAYLOAD);
    const { offlineData, nonce } = created.body.responseObject;
    expect(offlineData.startsWith(`${data}\n${nonce}\n1`)).toBe(true);

    const { code } = await token.approve(offlineData, { pin: '1234' });
    // The PA client's normalized data (PowerAuth: POST & uriId & nonce & body, without "&offline").
    const verifyData = `POST&${encodeBase64(new TextEncoder().encode('/operation/authorize/offline'))}&${nonce}&${encodeBase64(
      new TextEncoder().encode('operation-1&A1*A100EUR*ICZ2730300000001165254011'),
    )}`;
    const wrong = await paCall('/rest/v3/signature/offline/verify', {
      activationId,
      data: verifyData,
      signature: '12345678-12345678',
      allowBiometry: false,
    });
    expect(wrong.status).toBe(200);
    const PA_V3 = { signatureValid: 'boolean', ...PA_VERIFY_COMMON, signatureType: 'string' } as const;
    expectShape(wrong.body.responseObject, PA_V3, EXT_VERIFY);
    expect(wrong.body.responseObject).toMatchObject({
      signatureValid: false,
      activationStatus: 'ACTIVE',
      remainingAttempts: 4,
      signatureType: 'POSSESSION_KNOWLEDGE',
    });

    const valid = await paCall('/rest/v3/signature/offline/verify', {
      activationId,
      data: verifyData,
      signature: code,
      allowBiometry: false,
    });
    expectShape(valid.body.responseObject, PA_V3, EXT_VERIFY);
    const v = valid.body.responseObject;
    expect(v).toMatchObject({
      signatureValid: true,
      activationStatus: 'ACTIVE',
      blockedReason: null,
      activationId,
      userId,
      applicationId: DEMO_APP,
      signatureType: 'POSSESSION_KNOWLEDGE',
      remainingAttempts: 5,
    });
    expect(STATUS).toContain(v.activationStatus);
    expect(TYPES).toContain(v.signatureType);
  });

  it('createNonPersonalizedOfflineSignaturePayload (key type 0) and the legacy biometryAllowed spelling', async () => {
    const { token, activationId } = await activateToken(base, { protocol: 3, enableBiometry: true });
    const data = 'operation-2\nPayment\nPay 5 EUR\nA1*A5EUR*ICZ2730300000001165254011\nB';
    const created = await paCall('/rest/v3/signature/offline/non-personalized/create', {
      applicationId: DEMO_APP,
      data,
    });
    expect(created.status).toBe(200);
    expectShape(created.body.responseObject, PA_PAYLOAD, EXT_PAYLOAD);
    const { offlineData, nonce } = created.body.responseObject;
    expect(offlineData.split('\n').at(-1)![0]).toBe('0');
    const { code } = await token.approve(offlineData, { biometry: true });
    const verifyData = `POST&${encodeBase64(new TextEncoder().encode('/operation/authorize/offline'))}&${nonce}&${encodeBase64(
      new TextEncoder().encode('operation-2&A1*A5EUR*ICZ2730300000001165254011'),
    )}`;
    // Older PA clients send `signatureType` and `biometryAllowed`: the first is ignored, the second is an alias.
    const r = await paCall('/rest/v3/signature/offline/verify', {
      activationId,
      data: verifyData,
      signature: code,
      signatureType: 'POSSESSION_BIOMETRY',
      biometryAllowed: true,
    });
    expect(r.body.responseObject).toMatchObject({
      signatureValid: true,
      signatureType: 'POSSESSION_BIOMETRY',
    });
  });
});

describe('V4 (PowerAuth 2.x "auth" methods)', () => {
  const PA_V4 = {
    authenticationValid: 'boolean',
    ...PA_VERIFY_COMMON,
    authenticationCodeType: 'string',
  } as const;

  it('personalized create with nonce and proximityCheck → verify with proximityCheck', async () => {
    const { token, activationId } = await activateToken(base, { protocol: 4 });
    const nonce = encodeBase64(new Uint8Array(randomBytes(16)));
    const seed = encodeBase64(new Uint8Array(randomBytes(16)));
    const data = 'operation-3\nPayment\nPay 7 EUR\nA1*A7EUR*ICZ2730300000001165254011\n';
    const created = await paCall('/rest/v4/auth/offline/personalized/create', {
      activationId,
      data,
      nonce,
      proximityCheck: { seed, stepLength: 30 },
    });
    expect(created.status).toBe(200);
    expectShape(created.body.responseObject, PA_PAYLOAD, EXT_PAYLOAD);
    expect(created.body.responseObject.nonce).toBe(nonce);
    const lines = created.body.responseObject.offlineData.split('\n');
    expect(lines[5]).toMatch(/^\d{8}$/);
    expect(lines.at(-1)![0]).toBe('2');
    const { code } = await token.approve(created.body.responseObject.offlineData, { pin: '1234' });
    const verifyData = `POST&${encodeBase64(new TextEncoder().encode('/operation/authorize/offline'))}&${nonce}&${encodeBase64(
      new TextEncoder().encode('operation-3&A1*A7EUR*ICZ2730300000001165254011'),
    )}`;
    const r = await paCall('/rest/v4/auth/offline/verify', {
      activationId,
      data: verifyData,
      authenticationCode: code,
      allowBiometry: false,
      proximityCheck: { seed, stepLength: 30, stepCount: 1 },
    });
    expect(r.status).toBe(200);
    expectShape(r.body.responseObject, PA_V4, EXT_VERIFY);
    expect(r.body.responseObject).toMatchObject({
      authenticationValid: true,
      authenticationCodeType: 'POSSESSION_KNOWLEDGE',
      protocolVersion: 4,
    });
  });

  it('non-personalized create → verify (invalid, then blocked after the limit) with PA types throughout', async () => {
    const { activationId } = await activateToken(base, { protocol: 4, init: { maxFailureCount: 2 } });
    const issued = await issuePayload(base, 4, { applicationId: DEMO_APP });
    expect(issued.offlineData.split('\n').at(-1)![0]).toBe('0');
    const first = await paCall('/rest/v4/auth/offline/verify', {
      activationId,
      data: issued.requestData,
      authenticationCode: '87654321-87654321',
    });
    expectShape(first.body.responseObject, PA_V4, EXT_VERIFY);
    expect(first.body.responseObject).toMatchObject({
      authenticationValid: false,
      activationStatus: 'ACTIVE',
      remainingAttempts: 1,
    });
    const second = await paCall('/rest/v4/auth/offline/verify', {
      activationId,
      data: issued.requestData,
      authenticationCode: '87654321-87654321',
    });
    expectShape(second.body.responseObject, PA_V4, EXT_VERIFY);
    expect(second.body.responseObject).toMatchObject({
      authenticationValid: false,
      activationStatus: 'BLOCKED',
      blockedReason: 'MAX_FAILED_ATTEMPTS',
      remainingAttempts: 0,
    });
  });

  it('errors come back in the PA error envelope {code, message, localizedMessage}', async () => {
    const r = await paCall('/rest/v4/auth/offline/verify', {
      activationId: 'x',
      data: 'y',
      authenticationCode: 'z',
    });
    expect(r.status).toBe(400);
    expect(r.body.status).toBe('ERROR');
    expect(Object.keys(r.body.responseObject).sort()).toEqual(['code', 'localizedMessage', 'message']);
    expect(r.body.responseObject.code).toBe('ERR0024');
  });
});
