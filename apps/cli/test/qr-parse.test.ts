import { payloadCase, payloadCases } from '@offcode/test-harness/vectors';
import { describe, expect, it } from 'vitest';
import { cli, expectFailure, expectOk, expectPartial } from './helpers.js';

const parseCases = payloadCases().filter((c) => c.kind === 'qr-parse');

describe('offcode qr parse: every qr-parse case of payload-cases.json (input + one LF)', () => {
  it('covers the whole corpus', async () => {
    expect(parseCases.length).toBeGreaterThanOrEqual(77);
  });

  it.each(parseCases.map((c) => [c.id, c]))('%s', async (_id, c) => {
    const r = await cli(['qr', 'parse'], { input: `${c.input as string}\n` });
    if (c.valid) {
      expectOk(r);
      expect(r.stdout.endsWith('\n')).toBe(true);
      const json = JSON.parse(r.stdout);
      expectPartial(json, c.expected);
      expect(json).not.toHaveProperty('signature');
      expect(json).not.toHaveProperty('signedBytes');
    } else {
      const line = expectFailure(r, 2, 'INVALID_QR', c.reason);
      expect(line).not.toContain('\n');
    }
  });
});

describe('offcode qr parse: output form and input rules', () => {
  it('current-format: exactly the expected object, keys in the documented order, 2-space JSON', async () => {
    const c = parseCases.find((x) => x.id === 'current-format')!;
    const r = await cli(['qr', 'parse'], { input: `${c.input as string}\n` });
    expectOk(r);
    expect(JSON.parse(r.stdout)).toStrictEqual(c.expected);
    expect(Object.keys(JSON.parse(r.stdout))).toEqual([
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
    expect(r.stdout).toBe(JSON.stringify(JSON.parse(r.stdout), null, 2) + '\n');
  });

  it('removes exactly one trailing LF or CRLF and nothing else', async () => {
    const qr = payloadCase('offcode:v3-personalized-crypto-example');
    expectOk(await cli(['qr', 'parse'], { input: qr }));
    expectOk(await cli(['qr', 'parse'], { input: `${qr}\r\n` }));
    expectFailure(await cli(['qr', 'parse'], { input: `${qr}\n\n` }), 2, 'INVALID_QR', 'MISSING_SIGNATURE');
    expectFailure(
      await cli(['qr', 'parse'], { input: `${qr} \n` }),
      2,
      'INVALID_QR',
      'INVALID_SIGNATURE_ENCODING',
    );
  });

  it('reads bytes: invalid UTF-8 → INVALID_UTF8, more than 64 KiB → PAYLOAD_TOO_LONG', async () => {
    const qr = Buffer.from(payloadCase('offcode:v3-personalized-crypto-example'));
    const broken = Buffer.concat([Buffer.from([0xc3, 0x28]), qr]);
    expectFailure(await cli(['qr', 'parse'], { input: broken }), 2, 'INVALID_QR', 'INVALID_UTF8');
    expectFailure(
      await cli(['qr', 'parse'], { input: Buffer.alloc(64 * 1024 + 1, 0x41) }),
      2,
      'INVALID_QR',
      'PAYLOAD_TOO_LONG',
    );
    // Just over the QR capacity but under 64 KiB: the parser's own limit.
    expectFailure(
      await cli(['qr', 'parse'], { input: Buffer.alloc(3000, 0x41) }),
      2,
      'INVALID_QR',
      'PAYLOAD_TOO_LONG',
    );
  });

  it('the spec example: the amount of the first field', async () => {
    const r = await cli(['qr', 'parse'], { input: payloadCase('offcode:v3-personalized-crypto-example') });
    expect(JSON.parse(r.stdout).operationData.fields[0].amount).toBe('100');
  });
});
