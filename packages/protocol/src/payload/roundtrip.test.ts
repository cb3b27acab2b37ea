/** Property tests: build -> parse gives back every field; escaping round-trips to the normalised text. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  flagsArb,
  nonceBytesArb,
  normalizeText,
  operationArb,
  operationIdArb,
  textArb,
  totpArb,
} from '../../test/arbitraries.js';
import { encodeBase64 } from '../base64.js';
import { buildOperationData } from '../operation-data/build.js';
import { parseOperationDataOrThrow } from '../operation-data/parse.js';
import { assemblePayload, buildPayloadData, composeSignedData } from './build.js';
import { escapeText, unescapeText } from './escape.js';
import { parseOfflinePayloadOrThrow } from './parse.js';
import type { KeyType } from './types.js';

describe('round trips (fast-check)', () => {
  it('unescapeText(escapeText(s)) is s normalised per payload.md 2.2', () => {
    fc.assert(
      fc.property(textArb(60), (s) => {
        const escaped = escapeText(s);
        expect(escaped).not.toMatch(/[\n\r]/);
        expect(unescapeText(escaped)).toBe(normalizeText(s));
        // Escaping is idempotent on the normalised text's escaped form only through unescape.
        expect(escapeText(unescapeText(escaped))).toBe(escaped);
      }),
      { numRuns: 2000 },
    );
  });

  it('buildOperationData -> parseOperationData returns every field', () => {
    fc.assert(
      fc.property(operationArb, ({ input, expectedFields }) => {
        const line = buildOperationData(input);
        const parsed = parseOperationDataOrThrow(line);
        expect(parsed.versionLetter).toBe(input.version);
        expect(parsed.version).toBe(input.version === 'A' ? 'V1' : 'VX');
        expect(parsed.templateId).toBe(input.templateId);
        expect(parsed.sourceString).toBe(line);
        expect(parsed.fields).toEqual(expectedFields);
      }),
      { numRuns: 2000 },
    );
  });

  it('build -> assemble -> parse gives identical fields (UTF-8, escapes, empty fields, TOTP line)', () => {
    fc.assert(
      fc.property(
        operationIdArb,
        textArb(),
        textArb(),
        operationArb,
        flagsArb,
        totpArb,
        nonceBytesArb,
        fc.constantFrom<KeyType>(0, 1, 2),
        fc.uint8Array({ minLength: 64, maxLength: 104 }),
        fc.boolean(),
        (operationId, title, message, operation, flags, totp, nonceBytes, keyType, der, asBytes) => {
          const operationData = buildOperationData(operation.input);
          const data = buildPayloadData({ operationId, title, message, operationData, flags });
          const nonce = encodeBase64(nonceBytes);
          const signedData = composeSignedData({ data, totp, nonce, keyType });
          const signature = keyType === 2 ? der.subarray(0, 32) : der;
          const text = assemblePayload(signedData, signature);
          const p = parseOfflinePayloadOrThrow(asBytes ? new TextEncoder().encode(text) : text);
          expect(p.operationId).toBe(operationId);
          expect(p.title).toBe(normalizeText(title));
          expect(p.message).toBe(normalizeText(message));
          expect(p.operationData.sourceString).toBe(operationData);
          expect(p.operationData.fields).toEqual(operation.expectedFields);
          expect(p.flags).toEqual(flags);
          expect(p.totp).toBe(totp ?? null);
          expect(p.extraLines).toEqual([]);
          expect(p.isNewerFormat).toBe(false);
          expect(p.nonce).toBe(nonce);
          expect(p.keyType).toBe(keyType);
          expect(Array.from(p.signature)).toEqual(Array.from(signature));
          expect(p.signedData).toBe(signedData);
          expect(p.dataForOfflineSigning).toBe(`${operationId}&${operationData}${totp ? `&${totp}` : ''}`);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
