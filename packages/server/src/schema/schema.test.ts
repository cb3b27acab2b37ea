import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config.js';
import { OffcodeError } from '../errors.js';
import { parseRequest } from './core.js';
import { DATE_MAX_MS, DATE_MIN_MS } from './fields.js';
import { requestSchemas } from './requests.js';

const schemas = requestSchemas(defaultConfig());
const NONCE = 'AD8bOO0Df73kNaIGb3Vmpg==';
const DATA = `POST&L29wZXJhdGlvbi9hdXRob3JpemUvb2ZmbGluZQ==&${NONCE}&NWZmMWIxZWQ=`;
const ID = '5FF1B1ED-A3CC-45A3-8AB0-ED60950312B6';

function issuesOf(fn: () => unknown): { code: string; message: string; fields: string[] } {
  try {
    fn();
  } catch (e) {
    if (e instanceof OffcodeError)
      return { code: e.code, message: e.message, fields: e.issues.map((i) => i.field) };
    throw e;
  }
  throw new Error('no error');
}

describe('request schemas', () => {
  it('normalises, coerces like Jackson and fills defaults', () => {
    const v = parseRequest(schemas.verifyV3, {
      activationId: ID,
      data: DATA,
      signature: '12345678-12345678',
      componentLength: '8',
      allowBiometry: 'true',
      proximityCheck: { seed: 'AAECAwQFBgcICQoLDA0ODw==', stepLength: '30' },
      unknownProperty: { ignored: true },
    });
    expect(v.activationId).toBe(ID.toLowerCase());
    expect(v.componentLength).toBe(8);
    expect(v.allowBiometry).toBe(true);
    expect(v.proximityCheck?.stepCount).toBe(0);
    expect(v.proximityCheck?.seed).toHaveLength(16);
    const d = parseRequest(schemas.verifyV4, {
      activationId: ID,
      data: DATA,
      authenticationCode: '1234-5678',
      componentLength: null,
    });
    expect(d.componentLength).toBe(8);
    expect(d.allowBiometry).toBeUndefined();
  });

  it('lists every failing field as `path - reason`, joined by ", ", without echoing secret values', () => {
    const seed = 'not base64!';
    const r = issuesOf(() =>
      parseRequest(schemas.verifyV3, {
        activationId: 'nope',
        data: 'GET&x',
        signature: '12-34',
        componentLength: 9,
        proximityCheck: { seed, stepLength: 0, stepCount: 5 },
      }),
    );
    expect(r.code).toBe('ERR0024');
    expect(r.fields).toEqual([
      'activationId',
      'data',
      'componentLength',
      'proximityCheck.seed',
      'proximityCheck.stepLength',
      'proximityCheck.stepCount',
      'signature',
    ]);
    expect(r.message).toContain('proximityCheck.seed - must be Base64 of 1..64 bytes');
    expect(r.message).toContain('proximityCheck.stepCount - must be an integer in 0..4');
    expect(r.message.split(', ').length).toBeGreaterThanOrEqual(7);
    expect(r.message).not.toContain(seed);
    expect(r.message).not.toContain('12-34');
  });

  it('rejects properties that must not be dropped silently', () => {
    expect(
      issuesOf(() =>
        parseRequest(schemas.nonPersonalizedCreate, { applicationId: 'a', data: 'x', nonce: NONCE }),
      ).fields,
    ).toEqual(['nonce']);
    expect(
      issuesOf(() =>
        parseRequest(schemas.nonPersonalizedCreate, { applicationId: 'a', data: 'x', proximityCheck: {} }),
      ).fields,
    ).toEqual(['proximityCheck']);
    expect(
      issuesOf(() =>
        parseRequest(schemas.activationInit, { userId: 'u', applicationId: 'a', activationOtp: '1' }),
      ).fields,
    ).toEqual(['activationOtp']);
    expect(
      issuesOf(() =>
        parseRequest(schemas.activationInit, { userId: 'u', applicationId: 'a', protocol: 'fido2' }),
      ).fields,
    ).toEqual(['protocol']);
    expect(
      issuesOf(() => parseRequest(schemas.status, JSON.parse('{"__proto__": {"x": 1}}'))).fields,
    ).toEqual(['__proto__']);
  });

  it('checks the biometry alias and the blank nonce', () => {
    const base = { activationId: ID, data: DATA, signature: '12345678-12345678' };
    expect(parseRequest(schemas.verifyV3, { ...base, biometryAllowed: true }).biometryAllowed).toBe(true);
    expect(
      issuesOf(() => parseRequest(schemas.verifyV3, { ...base, allowBiometry: true, biometryAllowed: false }))
        .fields,
    ).toEqual(['biometryAllowed']);
    expect(
      parseRequest(schemas.personalizedCreate, { activationId: ID, data: 'x', nonce: '  ' }).nonce,
    ).toBeUndefined();
    expect(
      issuesOf(() => parseRequest(schemas.personalizedCreate, { activationId: ID, data: 'x', nonce: 'AAAA' }))
        .fields,
    ).toEqual(['nonce']);
  });

  it('enforces the payload data rules (size in UTF-8 bytes, CR, NUL, lone surrogates)', () => {
    const ok = (data: string) =>
      parseRequest(schemas.nonPersonalizedCreate, { applicationId: 'a', data }).data;
    expect(ok('é'.repeat(1024))).toHaveLength(1024);
    for (const bad of ['', 'é'.repeat(1025), 'a\rb', 'a\u0000b', 'a\ud800b', 'x'.repeat(2049)]) {
      expect(issuesOf(() => ok(bad)).fields).toEqual(['data']);
    }
  });

  it('requires the 16-byte nonce in normalized data only when the registry enforces', () => {
    const short = 'POST&L29wZXJhdGlvbi9hdXRob3JpemUvb2ZmbGluZQ==&AAAA&';
    const base = { activationId: ID, data: short, signature: '12345678-12345678' };
    expect(issuesOf(() => parseRequest(schemas.verifyV3, base)).fields).toEqual(['data']);
    const off = requestSchemas({ ...defaultConfig(), payloadRegistry: 'off' });
    // The field parses into the structured normalized data (server.md §3.5 step 1: parsed once).
    expect(parseRequest(off.verifyV3, base).data).toMatchObject({
      text: short,
      method: 'POST',
      nonce: 'AAAA',
    });
    expect(parseRequest(off.verifyV3, base).data.body).toEqual(new Uint8Array(0));
    for (const bad of ['POST&a&b', 'post&&&', `POST&&${NONCE}&abc`, `POST&&${NONCE}&&`, 'x'.repeat(4097)]) {
      expect(issuesOf(() => parseRequest(off.verifyV3, { ...base, data: bad })).fields).toEqual(['data']);
    }
  });

  it('accepts DateTime as ISO 8601 with offset or epoch milliseconds', () => {
    const init = (t: unknown) =>
      parseRequest(schemas.activationInit, { userId: 'u', applicationId: 'a', timestampActivationExpire: t })
        .timestampActivationExpire;
    expect(init('2025-05-01T10:00:00.000Z')?.toISOString()).toBe('2025-05-01T10:00:00.000Z');
    expect(init('2025-05-01T12:00:00+02:00')?.toISOString()).toBe('2025-05-01T10:00:00.000Z');
    expect(init(1746093600000)?.toISOString()).toBe('2025-05-01T10:00:00.000Z');
    for (const bad of ['2025-05-01', '2025-02-30T10:00:00Z', '2025-05-01T10:00:00', 'tomorrow', 1.5]) {
      expect(issuesOf(() => init(bad)).fields).toEqual(['timestampActivationExpire']);
    }
  });

  it('bounds every date field to 0001-01-01T00:00:00.000Z..9999-12-31T23:59:59.999Z (after the offset)', () => {
    expect(DATE_MIN_MS).toBe(-62_135_596_800_000);
    expect(DATE_MAX_MS).toBe(253_402_300_799_999);
    const fields: [keyof typeof schemas, string, Record<string, unknown>][] = [
      ['activationInit', 'timestampActivationExpire', { userId: 'u', applicationId: 'a' }],
      ['auditList', 'timestampFrom', { userId: 'u' }],
      ['auditList', 'timestampTo', { userId: 'u' }],
    ];
    const inside = [
      '0001-01-01T00:00:00.000Z',
      '0001-01-01T01:00:00+01:00',
      '9999-12-31T23:59:59.999Z',
      '9999-12-31T22:59:59.999-01:00',
      DATE_MIN_MS,
      DATE_MAX_MS,
      String(DATE_MAX_MS),
      0,
      -1,
    ];
    const outside = [
      '0000-12-31T23:59:59.999Z',
      '0001-01-01T00:30:00+01:00',
      '9999-12-31T23:59:59.999-00:01',
      '9999-12-31T23:00:00-01:00',
      '0000-01-01T00:00:00Z',
      DATE_MIN_MS - 1,
      DATE_MAX_MS + 1,
      8.64e15,
      -8.64e15,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      '8640000000000000',
      '9007199254740993',
    ];
    for (const [schema, field, base] of fields) {
      for (const value of inside) {
        const parsed = parseRequest(schemas[schema], { ...base, [field]: value }) as Record<string, Date>;
        expect(parsed[field]?.getTime(), `${field} ${value}`).toBeGreaterThanOrEqual(DATE_MIN_MS);
      }
      for (const value of outside) {
        const r = issuesOf(() => parseRequest(schemas[schema], { ...base, [field]: value }));
        expect(r.code).toBe('ERR0024');
        expect(r.message, `${field} ${value}`).toBe(`${field} - must be between 0001-01-01 and 9999-12-31`);
      }
    }
  });

  it('property: a date field is either inside the bounds or ERR0024 naming it (fast-check)', () => {
    const dateInput = fc.oneof(
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc
        .date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
        .map((d) => d.toISOString()),
      fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: -14, max: 14 })).map(([year, hours]) => {
        const offset = `${hours < 0 ? '-' : '+'}${String(Math.abs(hours)).padStart(2, '0')}:00`;
        return `${String(year).padStart(4, '0')}-06-15T12:00:00${offset}`;
      }),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(
      fc.property(dateInput, (value) => {
        try {
          const r = parseRequest(schemas.auditList, { userId: 'u', timestampFrom: value });
          const ms = r.timestampFrom?.getTime() ?? Number.NaN;
          expect(ms >= DATE_MIN_MS && ms <= DATE_MAX_MS).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(OffcodeError);
          expect((e as OffcodeError).issues.map((i) => i.field)).toEqual(['timestampFrom']);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws anything but OffcodeError ERR0024 for arbitrary input (fast-check)', () => {
    const entries = Object.entries(schemas);
    fc.assert(
      fc.property(
        fc.constantFrom(...entries),
        fc.oneof(
          fc.anything(),
          fc.dictionary(
            fc.constantFrom(
              'activationId',
              'data',
              'signature',
              'nonce',
              'userId',
              'applicationId',
              'proximityCheck',
              'componentLength',
              'activationCode',
              'devicePublicKey',
              'flags',
              'limit',
            ),
            fc.anything(),
          ),
        ),
        ([, schema], input) => {
          try {
            parseRequest(schema as Parameters<typeof parseRequest>[0], input);
          } catch (e) {
            expect(e).toBeInstanceOf(OffcodeError);
            expect((e as OffcodeError).code).toBe('ERR0024');
            expect((e as OffcodeError).field).toBeTruthy();
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('describes every request as JSON Schema', () => {
    const verify = schemas.verifyV4.json();
    expect(verify).toMatchObject({
      type: 'object',
      required: ['activationId', 'data', 'authenticationCode'],
    });
    expect((verify.properties as Record<string, { type: string }>).proximityCheck?.type).toBe('object');
    for (const schema of Object.values(schemas)) expect(schema.json().type).toBe('object');
  });
});
