import { describe, expect, it } from 'vitest';
import { EXAMPLE, readJsonVector } from '../test/vectors.js';
import { decodeBase64Strict } from './base64.js';
import { ProtocolError } from './errors.js';
import {
  buildOfflineBody,
  buildRequestData,
  DEFAULT_OFFLINE_URI_ID,
  normalizedDataForPayload,
  offlineDataBytes,
  parseVerifyData,
  verifyDataCandidates,
  verifyRequestDataForPayload,
} from './normalized-data.js';
import { parseOfflinePayloadOrThrow } from './payload/parse.js';

const td = new TextDecoder();

const V3_REQUEST =
  'POST&L29wZXJhdGlvbi9hdXRob3JpemUvb2ZmbGluZQ==&AD8bOO0Df73kNaIGb3Vmpg==&NWZmMWIxZWQtYTNjYy00NWEzLThhYjAtZWQ2MDk1MDMxMmI2JkExKkExMDBDWksqSUNaMjczMDMwMDAwMDAwMTE2NTI1NDAxMSpEMjAxODA0MjU=';
const V4_DATA =
  'POST&L29wZXJhdGlvbi9hdXRob3JpemUvb2ZmbGluZQ==&oKGio6SlpqeoqaqrrK2urw==&NWZmMWIxZWQtYTNjYy00NWEzLThhYjAtZWQ2MDk1MDMxMmI2JkExKkExMDBDWksqSUNaMjczMDMwMDAwMDAwMTE2NTI1NDAxMSpEMjAxODA0MjUmMjMyMjY0MDU=&offline';
const V4_API_DATA =
  'POST&L29wZXJhdGlvbi9hdXRob3JpemUvb2ZmbGluZQ==&oKGio6SlpqeoqaqrrK2urw==&NWZmMWIxZWQtYTNjYy00NWEzLThhYjAtZWQ2MDk1MDMxMmI2JkExKkExMDBDWksqSUNaMjczMDMwMDAwMDAwMTE2NTI1NDAxMSpEMjAxODA0MjU=';

describe('normalized data (crypto.md 6)', () => {
  it('reproduces section 13 (V3): BODY, REQUEST_DATA, DATA of 191 bytes', () => {
    const body = buildOfflineBody({ operationId: EXAMPLE.operationId, operationData: EXAMPLE.operationData });
    expect(body).toBe('5ff1b1ed-a3cc-45a3-8ab0-ed60950312b6&A1*A100CZK*ICZ2730300000001165254011*D20180425');
    const request = buildRequestData({ nonce: EXAMPLE.v3.nonce, body });
    expect(request).toBe(V3_REQUEST);
    const data = offlineDataBytes(request);
    expect(data.length).toBe(191);
    expect(td.decode(data)).toBe(`${V3_REQUEST}&offline`);
  });

  it('reproduces section 14 (V4): token BODY with TOTP, DATA of 203 bytes, API data without TOTP', () => {
    const body = buildOfflineBody({
      operationId: EXAMPLE.operationId,
      operationData: EXAMPLE.operationData,
      totp: '23226405',
    });
    expect(body).toBe(
      '5ff1b1ed-a3cc-45a3-8ab0-ed60950312b6&A1*A100CZK*ICZ2730300000001165254011*D20180425&23226405',
    );
    const data = offlineDataBytes(buildRequestData({ nonce: EXAMPLE.v4.nonce, body }));
    expect(td.decode(data)).toBe(V4_DATA);
    expect(data.length).toBe(203);
    const apiData = buildRequestData({
      nonce: EXAMPLE.v4.nonce,
      body: buildOfflineBody({ operationId: EXAMPLE.operationId, operationData: EXAMPLE.operationData }),
    });
    expect(apiData).toBe(V4_API_DATA);
    // The server's rebuild with TOTP(now) gives DATA exactly; TOTP(now-30) gives another candidate.
    const candidates = verifyDataCandidates(apiData, ['23226405', '32460824']);
    expect(td.decode(candidates[0])).toBe(V4_DATA);
    expect(td.decode(candidates[1])).not.toBe(V4_DATA);
    expect(verifyDataCandidates(apiData, null).map((c) => td.decode(c))).toEqual([`${V4_API_DATA}&offline`]);
  });

  it('derives both forms from the parsed section 14 payload (token with TOTP, web app without)', () => {
    const { cases } = readJsonVector<{ cases: { id: string; input: string }[] }>('payload-cases.json');
    const input = cases.find((c) => c.id === 'offcode:v4-personalized-mac-with-totp')!.input;
    const payload = parseOfflinePayloadOrThrow(input);
    expect(td.decode(normalizedDataForPayload(payload))).toBe(V4_DATA);
    expect(verifyRequestDataForPayload(payload)).toBe(V4_API_DATA);
  });

  it('uses the default uriId and honours another one', () => {
    expect(DEFAULT_OFFLINE_URI_ID).toBe('/operation/authorize/offline');
    const custom = buildRequestData({ nonce: EXAMPLE.v3.nonce, body: 'x&A0', uriId: '/pay' });
    expect(custom).toBe(`POST&L3BheQ==&${EXAMPLE.v3.nonce}&eCZBMA==`);
  });

  it('refuses a non-canonical nonce and non-strings', () => {
    expect(() => buildRequestData({ nonce: 'AD8bOO0Df73kNaIGb3Vmpg=', body: 'x' })).toThrowError(
      ProtocolError,
    );
    expect(() => buildRequestData({ nonce: 'AD8bOO0Df73kNaIGb3Vmph==', body: 'x' })).toThrowError(
      ProtocolError,
    );
    expect(() => buildOfflineBody({ operationId: 1 as unknown as string, operationData: 'A0' })).toThrowError(
      ProtocolError,
    );
    expect(() => offlineDataBytes('\uD800')).toThrowError(ProtocolError);
  });
});

describe('parseVerifyData', () => {
  it('splits a well-formed data string', () => {
    const bodyB64 = V3_REQUEST.split('&')[3]!;
    expect(parseVerifyData(V3_REQUEST, { nonceLength16: true })).toEqual({
      text: V3_REQUEST,
      method: 'POST',
      uriIdB64: 'L29wZXJhdGlvbi9hdXRob3JpemUvb2ZmbGluZQ==',
      nonce: 'AD8bOO0Df73kNaIGb3Vmpg==',
      bodyB64,
      body: decodeBase64Strict(bodyB64),
    });
    expect(parseVerifyData('POST&&&').method).toBe('POST');
  });

  it.each([
    ['three parts', 'POST&AAAA&AAAA'],
    ['five parts', `${V3_REQUEST}&offline`],
    ['lower-case method', V3_REQUEST.replace('POST', 'post')],
    ['empty method', V3_REQUEST.replace('POST', '')],
    ['URL-safe nonce', V3_REQUEST.replace('AD8bOO0Df73kNaIGb3Vmpg==', 'AD8bOO0Df73kNaIGb3Vmpg-_')],
    ['unpadded body', V3_REQUEST.replace(/=$/, '')],
    ['bad uri', V3_REQUEST.replace('L29wZXJhdGlvbi9hdXRob3JpemUvb2ZmbGluZQ==', 'L29w ZQ==')],
  ])('rejects %s with field data', (_name, data) => {
    try {
      parseVerifyData(data);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
      expect((e as ProtocolError).code).toBe('INVALID_DATA');
      expect((e as ProtocolError).field).toBe('data');
    }
  });

  it('enforces a 16-byte nonce only when asked', () => {
    const short = 'POST&AAAA&AAAA&AAAA';
    expect(parseVerifyData(short).nonce).toBe('AAAA');
    expect(() => parseVerifyData(short, { nonceLength16: true })).toThrowError(ProtocolError);
  });

  it('verifyDataCandidates takes the parsed value without parsing again, same candidates as from the text', () => {
    const parsed = parseVerifyData(V4_API_DATA);
    expect(verifyDataCandidates(parsed, ['23226405'])).toEqual(
      verifyDataCandidates(V4_API_DATA, ['23226405']),
    );
    expect(verifyDataCandidates(parsed, null)).toEqual(verifyDataCandidates(V4_API_DATA, null));
    // A hand-made value whose parts disagree with its text is refused, not trusted.
    const forged = { ...parsed, text: V3_REQUEST };
    expect(() => verifyDataCandidates(forged, null)).toThrowError(ProtocolError);
  });

  it('verifyDataCandidates refuses an empty list and non-digit TOTPs', () => {
    expect(() => verifyDataCandidates(V4_API_DATA, [])).toThrowError(ProtocolError);
    expect(() => verifyDataCandidates(V4_API_DATA, ['12a'])).toThrowError(ProtocolError);
  });
});
