/** The parsers never throw anything but their own typed error, whatever the input (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PayloadFormatError } from '../errors.js';
import { parseOperationData } from '../operation-data/parse.js';
import { parseOfflinePayload, parseOfflinePayloadOrThrow } from './parse.js';

const VALID = [
  '5ff1b1ed-a3cc-45a3-8ab0-ed60950312b6\nPayment\nPlease confirm this payment\nA1*A100CZK*ICZ2730300000001165254011*D20180425*Thello world\nBCFX\nAD8bOO0Df73kNaIGb3Vmpg==\n0MEYCIQDby1Uq+MaxiAAGzKmE/McHzNOUrvAP2qqGBvSgcdtyjgIhAMo1sgqNa1pPZTFBhhKvCKFLGDuHuTTYexdmHFjUUIJW',
  'op\nT\\n\\\\x\nM\nA0*Nends\\\\*Tnext*Q1\\*2*D20200229*\n\n23226405\nx\noKGio6SlpqeoqaqrrK2urw==\n2lYqwgn75vQUKW6bq6YLY4NiWQbCD08aqGSbX4RRhR6E=',
];

const reached = new Map<string, number>();

/** Checks the result shape: a typed failure, or a success whose invariants hold. */
function checkParse(input: string | Uint8Array): void {
  const result = parseOfflinePayload(input);
  const key = result.ok ? 'OK' : result.error.reason;
  reached.set(key, (reached.get(key) ?? 0) + 1);
  if (!result.ok) {
    expect(result.error).toBeInstanceOf(PayloadFormatError);
    expect(typeof result.error.reason).toBe('string');
    expect(result.error.message.length).toBeLessThan(300);
    return;
  }
  const p = result.value;
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  expect(p.signedData + p.signatureBase64).toBe(text);
  expect(p.signedData.endsWith(`\n${p.keyType}`)).toBe(true);
}

const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const fragment = fc.constantFrom(
  '',
  'A1',
  'A0*',
  '*',
  '\\',
  '\\*',
  '\\\\',
  'A100CZK',
  'A.5EUR',
  'I',
  'ICZ,',
  ',',
  'D20200230',
  'T',
  'Z99',
  'BCFX',
  'AD8bOO0Df73kNaIGb3Vmpg==',
  'AD8bOO0Df73kNaIGb3Vmpg=',
  '0MEYCIQDby1Uq+MaxiAAGzKmE/McHzNOUrvAP2qqGBvSgcdtyjgIhAMo1sgqNa1pPZTFBhhKvCKFLGDuHuTTYexdmHFjUUIJW',
  '2lYqwgn75vQUKW6bq6YLY4NiWQbCD08aqGSbX4RRhR6E=',
  '1AAAA',
  '\r',
  '\uD800',
  '🙂',
  '12345678',
);
const lineArb = fc.oneof(
  fragment,
  fc.array(fragment, { maxLength: 6 }).map((a) => a.join('')),
  fc.string({ maxLength: 12 }),
);

describe('parser robustness (fast-check, >= 10 000 runs each)', () => {
  it('arbitrary UTF-16 code units, lone surrogates included', () => {
    fc.assert(fc.property(fc.string({ unit: codeUnit, maxLength: 300 }), checkParse), { numRuns: 10_000 });
  });

  it('arbitrary Unicode strings with many LFs', () => {
    const arb = fc.string({
      unit: fc.oneof(fc.constant('\n'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
      maxLength: 200,
    });
    fc.assert(fc.property(arb, checkParse), { numRuns: 10_000 });
  });

  it('payload-shaped strings built from near-valid fragments', () => {
    const arb = fc.array(lineArb, { minLength: 5, maxLength: 11 }).map((lines) => lines.join('\n'));
    fc.assert(fc.property(arb, checkParse), { numRuns: 10_000 });
  });

  it('valid payloads with random edits', () => {
    const arb = fc.tuple(
      fc.constantFrom(...VALID),
      fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.oneof(codeUnit, fragment)), { minLength: 1, maxLength: 4 }),
    );
    fc.assert(
      fc.property(arb, ([base, edits]) => {
        let s = base;
        for (const [pos, op, ins] of edits) {
          const i = pos % (s.length + 1);
          if (op === 0) s = s.slice(0, i) + ins + s.slice(i);
          else if (op === 1) s = s.slice(0, i) + s.slice(i + 1);
          else s = s.slice(0, i) + ins + s.slice(i + 1);
        }
        checkParse(s);
        try {
          parseOfflinePayloadOrThrow(s);
        } catch (e) {
          expect(e).toBeInstanceOf(PayloadFormatError);
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it('arbitrary bytes', () => {
    const arb = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.constantFrom(...VALID).chain((v) =>
        fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([pos, byte]) => {
          const b = new TextEncoder().encode(v);
          b[pos % b.length] = byte;
          return b;
        }),
      ),
    );
    fc.assert(fc.property(arb, checkParse), { numRuns: 10_000 });
  });

  it('operation-data lines alone', () => {
    const arb = fc.oneof(
      fc.string({ unit: codeUnit, maxLength: 80 }),
      fc.array(lineArb, { maxLength: 8 }).map((a) => a.join('*')),
    );
    fc.assert(
      fc.property(arb, (line) => {
        const r = parseOperationData(line);
        if (!r.ok) expect(r.error).toBeInstanceOf(PayloadFormatError);
        else expect(r.value.sourceString).toBe(line);
      }),
      { numRuns: 10_000 },
    );
  });

  // PAYLOAD_TOO_LONG is not listed: the inputs are short on purpose (covered in parse.test.ts).
  it('the generated inputs reached success and every parse-time reason', () => {
    for (const reason of [
      'OK',
      'INVALID_UTF8',
      'INVALID_LINE_BREAK',
      'TOO_FEW_LINES',
      'MISSING_OPERATION_ID',
      'MISSING_SIGNATURE',
      'UNKNOWN_KEY_TYPE',
      'INVALID_SIGNATURE_ENCODING',
      'INVALID_SIGNATURE_LENGTH',
      'INVALID_NONCE',
      'INVALID_DATA_VERSION',
      'INVALID_TEMPLATE_ID',
      'INVALID_AMOUNT',
    ]) {
      expect(reached.get(reason) ?? 0, reason).toBeGreaterThan(0);
    }
  });

  it('non-string, non-bytes input is a typed failure', () => {
    for (const bad of [undefined, null, 42, {}, [], new ArrayBuffer(4)]) {
      const r = parseOfflinePayload(bad as unknown as string);
      expect(r.ok).toBe(false);
    }
    const r = parseOperationData(undefined as unknown as string);
    expect(r.ok).toBe(false);
  });
});
