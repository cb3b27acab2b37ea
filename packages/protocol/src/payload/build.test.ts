import { describe, expect, it } from 'vitest';
import { PayloadFormatError } from '../errors.js';
import { assemblePayload, buildPayloadData, composeSignedData, generateNonce } from './build.js';
import { parseOfflinePayloadOrThrow } from './parse.js';

const NONCE = 'AD8bOO0Df73kNaIGb3Vmpg==';

function reasonOf(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (e) {
    if (e instanceof PayloadFormatError) return e.reason;
    throw e;
  }
}

describe('buildPayloadData', () => {
  const base = { operationId: 'op', title: 'T', message: 'M', operationData: 'A0' };

  it('validates the operation ID', () => {
    expect(reasonOf(() => buildPayloadData({ ...base, operationId: '' }))).toBe('INVALID_OPERATION_ID');
    expect(reasonOf(() => buildPayloadData({ ...base, operationId: 'a\u007fb' }))).toBe(
      'INVALID_OPERATION_ID',
    );
    expect(reasonOf(() => buildPayloadData({ ...base, operationId: 'a\tb' }))).toBe('INVALID_OPERATION_ID');
    expect(reasonOf(() => buildPayloadData({ ...base, operationId: 'x'.repeat(257) }))).toBe(
      'INVALID_OPERATION_ID',
    );
    expect(reasonOf(() => buildPayloadData({ ...base, operationId: '🙂'.repeat(256) }))).toBe('OK');
    expect(reasonOf(() => buildPayloadData({ ...base, operationId: 'a\uD800' }))).toBe(
      'INVALID_OPERATION_ID',
    );
  });

  it('reports the operation data reason and refuses line breaks in it', () => {
    expect(reasonOf(() => buildPayloadData({ ...base, operationData: '' }))).toBe('MISSING_OPERATION_DATA');
    expect(reasonOf(() => buildPayloadData({ ...base, operationData: 'A0*Tx\nB' }))).toBe(
      'INVALID_LINE_BREAK',
    );
    expect(reasonOf(() => buildPayloadData({ ...base, title: 7 as unknown as string }))).toBe('INVALID_TEXT');
  });
});

describe('composeSignedData and assemblePayload', () => {
  const data = 'op\nT\nM\nA0\n';

  it('composes data [LF totp] LF nonce LF digit', () => {
    expect(composeSignedData({ data, nonce: NONCE, keyType: 0 })).toBe(`${data}\n${NONCE}\n0`);
    expect(composeSignedData({ data, nonce: NONCE, keyType: 2, totp: '012345' })).toBe(
      `${data}\n012345\n${NONCE}\n2`,
    );
    expect(composeSignedData({ data, nonce: NONCE, keyType: 1, totp: null })).toBe(`${data}\n${NONCE}\n1`);
  });

  it.each([
    [{ data, nonce: 'AD8bOO0Df73kNaIGb3Vmpg', keyType: 0 }, 'INVALID_NONCE'],
    [{ data, nonce: 'AAAA', keyType: 0 }, 'INVALID_NONCE'],
    [{ data, nonce: NONCE, keyType: 0, totp: '12345' }, 'INVALID_TOTP'],
    [{ data, nonce: NONCE, keyType: 0, totp: '123456789' }, 'INVALID_TOTP'],
    [{ data, nonce: NONCE, keyType: 0, totp: '1234567a' }, 'INVALID_TOTP'],
    [{ data: 'a\r\nb', nonce: NONCE, keyType: 0 }, 'INVALID_LINE_BREAK'],
    [{ data, nonce: NONCE, keyType: 3 }, 'UNKNOWN_KEY_TYPE'],
    [{ data: 'x\uDC00', nonce: NONCE, keyType: 0 }, 'INVALID_UTF8'],
  ])('refuses %j with %s', (input, reason) => {
    expect(reasonOf(() => composeSignedData(input as never))).toBe(reason);
  });

  it('assembles without a trailing LF and the result parses', () => {
    const signed = composeSignedData({ data, nonce: NONCE, keyType: 0 });
    const payload = assemblePayload(signed, new Uint8Array(70).fill(0xfb));
    expect(payload.endsWith('\n')).toBe(false);
    expect(parseOfflinePayloadOrThrow(payload).signature).toEqual(new Uint8Array(70).fill(0xfb));
    expect(reasonOf(() => assemblePayload('no digit', new Uint8Array(70)))).toBe('UNKNOWN_KEY_TYPE');
    expect(reasonOf(() => assemblePayload(signed, new Uint8Array(0)))).toBe('MISSING_SIGNATURE');
  });

  it('generates canonical 16-byte nonces', () => {
    const a = generateNonce();
    expect(a).toMatch(/^[A-Za-z0-9+/]{21}[AQgw]==$/);
    expect(generateNonce()).not.toBe(a);
    expect(generateNonce(() => new Uint8Array(16))).toBe('AAAAAAAAAAAAAAAAAAAAAA==');
    expect(reasonOf(() => generateNonce(() => new Uint8Array(8)))).toBe('INVALID_NONCE');
  });
});
