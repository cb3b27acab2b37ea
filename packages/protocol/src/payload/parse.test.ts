import { describe, expect, it } from 'vitest';
import { utf8 } from '../../test/vectors.js';
import { PayloadFormatError } from '../errors.js';
import { parseOfflinePayload, parseOfflinePayloadOrThrow, splitOptionalLines } from './parse.js';

const SIG =
  '0MEYCIQDby1Uq+MaxiAAGzKmE/McHzNOUrvAP2qqGBvSgcdtyjgIhAMo1sgqNa1pPZTFBhhKvCKFLGDuHuTTYexdmHFjUUIJW';
const NONCE = 'AD8bOO0Df73kNaIGb3Vmpg==';
const lines = (...l: string[]) => l.join('\n');
const VALID = lines('op', 'Title', 'Message', 'A1*A100CZK', 'B', NONCE, SIG);

function reasonOf(input: string | Uint8Array) {
  const r = parseOfflinePayload(input);
  return r.ok ? 'OK' : r.error.reason;
}

describe('parseOfflinePayload', () => {
  it('parses a minimal payload into a frozen object whose JSON form omits the byte arrays', () => {
    const p = parseOfflinePayloadOrThrow(VALID);
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.operationData.fields)).toBe(true);
    expect(p.signedData).toBe(VALID.slice(0, VALID.length - SIG.length + 1));
    expect(p.signedData.endsWith(`${NONCE}\n0`)).toBe(true);
    expect(new TextDecoder().decode(p.signedBytes)).toBe(p.signedData);
    expect(p.signature.length).toBe(72);
    const json = JSON.parse(JSON.stringify(p));
    expect(Object.keys(json)).toEqual([
      'operationId',
      'title',
      'message',
      'operationData',
      'flags',
      'totp',
      'extraLines',
      'isNewerFormat',
      'nonce',
      'keyType',
      'signingKey',
      'signatureBase64',
      'signedData',
      'dataForOfflineSigning',
    ]);
  });

  it('accepts raw bytes (strict UTF-8) and reports the same result', () => {
    const text = lines('op', 'Žluťoučký', 'kůň', 'A0*Túpěl', '', NONCE, SIG);
    const fromBytes = parseOfflinePayloadOrThrow(utf8(text));
    expect(fromBytes.title).toBe('Žluťoučký');
    expect(fromBytes.signedData).toBe(parseOfflinePayloadOrThrow(text).signedData);
    expect(reasonOf(new Uint8Array([0x41, 0xff, 0x0a]))).toBe('INVALID_UTF8');
    expect(reasonOf('op\uD800')).toBe('INVALID_UTF8');
    expect(reasonOf(42 as unknown as string)).toBe('INVALID_UTF8');
  });

  it('keeps a BOM and control characters as received (they are signed)', () => {
    const p = parseOfflinePayloadOrThrow(lines('\uFEFFop\u0007', 'T\u0001', 'M', 'A0', '', NONCE, SIG));
    expect(p.operationId).toBe('\uFEFFop\u0007');
    expect(p.title).toBe('T\u0001');
  });

  it('applies the checks in the normative order', () => {
    // INVALID_UTF8 before PAYLOAD_TOO_LONG, too long before CR, CR before line count.
    expect(reasonOf(`\uD800${'x'.repeat(3000)}`)).toBe('INVALID_UTF8');
    expect(reasonOf(`${'x'.repeat(3000)}\r`)).toBe('PAYLOAD_TOO_LONG');
    expect(reasonOf('a\r\nb')).toBe('INVALID_LINE_BREAK');
    expect(reasonOf('a\nb')).toBe('TOO_FEW_LINES');
    // Missing operation ID before everything in the last line.
    expect(reasonOf(lines('', 'T', 'M', 'A1', 'B', 'bad', 'X'))).toBe('MISSING_OPERATION_ID');
    // Signature before nonce, nonce before operation data.
    expect(reasonOf(lines('op', 'T', 'M', 'bad', 'B', 'bad', '0AB=='))).toBe('INVALID_SIGNATURE_ENCODING');
    expect(reasonOf(lines('op', 'T', 'M', 'bad', 'B', 'bad', SIG))).toBe('INVALID_NONCE');
    expect(reasonOf(lines('op', 'T', 'M', 'bad', 'B', NONCE, SIG))).toBe('INVALID_DATA_VERSION');
  });

  it('counts UTF-8 bytes, not UTF-16 units, for the length limit', () => {
    const base = lines('op', 'T', '', 'A0', '', NONCE, SIG);
    const room = 2953 - utf8(base).length;
    const fits = lines('op', 'T', 'ž'.repeat(Math.floor(room / 2)), 'A0', '', NONCE, SIG);
    expect(utf8(fits).length).toBeLessThanOrEqual(2953);
    expect(reasonOf(fits)).toBe('OK');
    const over = lines('op', 'T', 'ž'.repeat(Math.floor(room / 2) + 1), 'A0', '', NONCE, SIG);
    expect(reasonOf(over)).toBe('PAYLOAD_TOO_LONG');
    expect(reasonOf(utf8(over))).toBe('PAYLOAD_TOO_LONG');
  });

  it('names the 1-based line in the message and the 0-based line in the error', () => {
    const r = parseOfflinePayload(lines('op', 'T', 'M', 'A1*A100CZK', 'B', 'AAAA', SIG));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.line).toBe(5);
    expect(r.error.message).toBe('line 6: nonce must be canonical Base64 of exactly 16 bytes');
    const d = parseOfflinePayload(lines('op', 'T', 'M', 'A1*T*A1x', 'B', NONCE, SIG));
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.error.reason).toBe('INVALID_AMOUNT');
    expect(d.error.line).toBe(3);
    expect(d.error.position).toBe(2);
    expect(d.error.message).toMatch(/^line 4: field 2: /);
  });

  it('never echoes more than 32 characters of input in a message', () => {
    const long = `A1*A${'9'.repeat(200)}.CZK`;
    const r = parseOfflinePayload(lines('op', 'T', 'M', long, 'B', NONCE, SIG));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).not.toContain('9'.repeat(33));
    expect(() => parseOfflinePayloadOrThrow(lines('op', 'T', 'M', long, 'B', NONCE, SIG))).toThrowError(
      PayloadFormatError,
    );
  });

  it('enforces the signature length per key type', () => {
    const tag = 'lYqwgn75vQUKW6bq6YLY4NiWQbCD08aqGSbX4RRhR6E=';
    expect(reasonOf(lines('op', 'T', 'M', 'A0', '', NONCE, `2${tag}`))).toBe('OK');
    expect(reasonOf(lines('op', 'T', 'M', 'A0', '', NONCE, `0${tag}`))).toBe('INVALID_SIGNATURE_LENGTH');
    expect(reasonOf(lines('op', 'T', 'M', 'A0', '', NONCE, `2${SIG.slice(1)}`))).toBe(
      'INVALID_SIGNATURE_LENGTH',
    );
    const max = Buffer.alloc(255, 1).toString('base64');
    const over = Buffer.alloc(256, 1).toString('base64');
    const min = Buffer.alloc(64, 1).toString('base64');
    const under = Buffer.alloc(63, 1).toString('base64');
    expect(reasonOf(lines('op', 'T', 'M', 'A0', '', NONCE, `1${max}`))).toBe('OK');
    expect(reasonOf(lines('op', 'T', 'M', 'A0', '', NONCE, `1${min}`))).toBe('OK');
    expect(reasonOf(lines('op', 'T', 'M', 'A0', '', NONCE, `1${over}`))).toBe('INVALID_SIGNATURE_LENGTH');
    expect(reasonOf(lines('op', 'T', 'M', 'A0', '', NONCE, `1${under}`))).toBe('INVALID_SIGNATURE_LENGTH');
  });

  it('maps key types to signing keys', () => {
    const tag = 'lYqwgn75vQUKW6bq6YLY4NiWQbCD08aqGSbX4RRhR6E=';
    expect(parseOfflinePayloadOrThrow(lines('op', 'T', 'M', 'A0', '', NONCE, SIG)).signingKey).toBe('MASTER');
    expect(
      parseOfflinePayloadOrThrow(lines('op', 'T', 'M', 'A0', '', NONCE, `1${SIG.slice(1)}`)).signingKey,
    ).toBe('PERSONALIZED');
    expect(parseOfflinePayloadOrThrow(lines('op', 'T', 'M', 'A0', '', NONCE, `2${tag}`)).signingKey).toBe(
      'PERSONALIZED_MAC',
    );
  });

  it('takes line 5 as the TOTP from 8 lines on and the rest as extra lines', () => {
    expect(splitOptionalLines(['0', '1', '2', '3', '4', 'n', 's'])).toEqual({ totp: null, extraLines: [] });
    expect(splitOptionalLines(['0', '1', '2', '3', '4', 't', 'n', 's'])).toEqual({
      totp: 't',
      extraLines: [],
    });
    expect(splitOptionalLines(['0', '1', '2', '3', '4', 't', 'x', 'y', 'n', 's'])).toEqual({
      totp: 't',
      extraLines: ['x', 'y'],
    });
    const p = parseOfflinePayloadOrThrow(lines('op', 'T', 'M', 'A0*Tx', '', '', 'extra', NONCE, SIG));
    expect(p.totp).toBe('');
    expect(p.extraLines).toEqual(['extra']);
    expect(p.isNewerFormat).toBe(true);
    expect(p.dataForOfflineSigning).toBe('op&A0*Tx&');
  });
});
