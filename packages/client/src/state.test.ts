import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exampleState, exampleStateText } from '../test/fixtures.js';
import { OffcodeClientError } from './errors.js';
import { parseState, serializeState, toStatus } from './state.js';

function storageFailure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OffcodeClientError);
    expect((e as OffcodeClientError).code).toBe('STORAGE_FAILURE');
    return (e as OffcodeClientError).message;
  }
  throw new Error('expected STORAGE_FAILURE');
}

describe('token state document', () => {
  it.each([3, 4] as const)('round-trips protocol %i through JSON', (protocol) => {
    const s = exampleState(protocol);
    const text = serializeState(s);
    expect(text.endsWith('\n')).toBe(true);
    const back = parseState(text);
    expect(back).toEqual(s);
    expect(serializeState(back)).toBe(text);
    const doc = JSON.parse(text);
    expect(Object.keys(doc)).toEqual([
      'format',
      'protocol',
      'activationId',
      'applicationId',
      'serverUrl',
      'activationStatus',
      'blockedReason',
      'statusCheckedAt',
      'componentLength',
      'counter',
      'ctrData',
      'possessionKey',
      'knowledgeKey',
      'biometryKey',
      'serverPublicKey',
      'macKey',
      'masterPublicKeys',
      'createdAt',
      'updatedAt',
    ]);
    expect(doc.knowledgeKey.scheme).toBe(protocol === 3 ? 'v3-pbkdf2-aes128' : 'v4-pa4pbkdf-aes256ctr');
  });

  it('never stores the PIN or the plaintext knowledge key', () => {
    const text = exampleStateText(3);
    expect(JSON.stringify(JSON.parse(text))).not.toMatch(/"pin"|":"1234"/i);
    expect(text).not.toContain(Buffer.from('8631d64f2dc70379d074371d9c96d133', 'hex').toString('base64'));
  });

  it('status has no secrets', () => {
    const st = toStatus(exampleState(4));
    expect(Object.keys(st)).toEqual([
      'activationId',
      'protocol',
      'activationStatus',
      'blockedReason',
      'statusCheckedAt',
      'applicationId',
      'serverUrl',
      'componentLength',
      'counter',
      'biometry',
      'mechanism',
      'createdAt',
      'updatedAt',
    ]);
    expect(st.biometry).toBe(true);
    expect(toStatus(exampleState(4, { biometry: false })).biometry).toBe(false);
  });

  it('an unknown format is STORAGE_FAILURE, never a reset', () => {
    const doc = JSON.parse(exampleStateText(3));
    doc.format = 'offcode-token/2';
    expect(storageFailure(() => parseState(JSON.stringify(doc)))).toMatch(/unsupported format/);
  });

  const mutations: [string, (d: Record<string, unknown>) => void, RegExp][] = [
    [
      'protocol 5',
      (d) => {
        d.protocol = 5;
      },
      /protocol/,
    ],
    [
      'V3 ctrData of 32 bytes',
      (d) => {
        d.ctrData = Buffer.alloc(32).toString('base64');
      },
      /ctrData/,
    ],
    [
      'non-canonical Base64',
      (d) => {
        d.possessionKey = (d.possessionKey as string).replace(/.=$/, 'x=');
      },
      /possessionKey/,
    ],
    [
      'URL-safe Base64',
      (d) => {
        d.ctrData = 'V4uAF_PstuQoGNnNTifHuw==';
      },
      /ctrData/,
    ],
    [
      'componentLength 9',
      (d) => {
        d.componentLength = 9;
      },
      /componentLength/,
    ],
    [
      'negative counter',
      (d) => {
        d.counter = -1;
      },
      /counter/,
    ],
    [
      'unknown status',
      (d) => {
        d.activationStatus = 'DONE';
      },
      /activationStatus/,
    ],
    [
      'V4 scheme on V3',
      (d) => {
        (d.knowledgeKey as Record<string, unknown>).scheme = 'v4-pa4pbkdf-aes256ctr';
      },
      /knowledgeKey.scheme/,
    ],
    [
      'macKey on V3',
      (d) => {
        d.macKey = Buffer.alloc(32).toString('base64');
      },
      /macKey/,
    ],
    [
      'no master keys',
      (d) => {
        d.masterPublicKeys = [];
      },
      /masterPublicKeys/,
    ],
    [
      'compressed server key',
      (d) => {
        d.serverPublicKey = Buffer.alloc(33, 2).toString('base64');
      },
      /serverPublicKey/,
    ],
    [
      'bad activationId',
      (d) => {
        d.activationId = 'x';
      },
      /activationId/,
    ],
    [
      'bad biometry protection',
      (d) => {
        d.biometryKey = { protection: 'cloud' };
      },
      /biometryKey/,
    ],
    [
      'local time',
      (d) => {
        d.createdAt = '2025-05-01 10:00';
      },
      /createdAt/,
    ],
  ];
  it.each(mutations)('refuses %s with STORAGE_FAILURE naming the field', (_name, mutate, field) => {
    const doc = JSON.parse(exampleStateText(3));
    mutate(doc);
    expect(storageFailure(() => parseState(JSON.stringify(doc)))).toMatch(field);
  });

  it('invalid JSON and non-objects are STORAGE_FAILURE', () => {
    storageFailure(() => parseState('{'));
    storageFailure(() => parseState('null'));
    storageFailure(() => parseState('[]'));
  });

  it('calls the point validator for every public key', () => {
    const seen: number[] = [];
    parseState(exampleStateText(4), (p, point) => {
      seen.push(p, point.length);
      return true;
    });
    expect(seen).toEqual([4, 97, 4, 97]);
    storageFailure(() => parseState(exampleStateText(4), () => false));
  });

  it('never throws anything but STORAGE_FAILURE on arbitrary documents (property)', () => {
    const base = JSON.parse(exampleStateText(4)) as Record<string, unknown>;
    const keys = Object.keys(base);
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue(), (key, value) => {
        const doc = { ...base, [key]: value };
        try {
          parseState(JSON.stringify(doc));
        } catch (e) {
          expect(e).toBeInstanceOf(OffcodeClientError);
          expect((e as OffcodeClientError).code).toBe('STORAGE_FAILURE');
        }
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseState(text);
        } catch (e) {
          expect((e as OffcodeClientError).code).toBe('STORAGE_FAILURE');
        }
      }),
    );
  });
});
