/** Replays every case of test-vectors/payload-cases.json (payload.md 8). */

import { describe, expect, it } from 'vitest';
import { partialMismatch } from '../../test/partial-match.js';
import { SUITE, suiteOf } from '../../test/suites.js';
import { b64, EXAMPLE, hex, readJsonVector } from '../../test/vectors.js';
import { formatCodeForDisplay, normalizeTypedCode } from '../code.js';
import { PayloadFormatError } from '../errors.js';
import { buildOperationData } from '../operation-data/build.js';
import type { OperationDataInput } from '../operation-data/types.js';
import { isKeyTypeValidFor, verifyOfflinePayloadSignature } from '../signature.js';
import { buildPayloadData, type PayloadDataInput } from './build.js';
import { escapeText } from './escape.js';
import { offlinePayloadToJson, parseOfflinePayload } from './parse.js';

interface Case {
  id: string;
  kind:
    | 'qr-parse'
    | 'operation-data-builder'
    | 'text-escape'
    | 'payload-data-builder'
    | 'code-input'
    | 'code-display';
  input: unknown;
  valid: boolean;
  reason?: string;
  expected?: unknown;
}

const { cases } = readJsonVector<{ cases: Case[] }>('payload-cases.json');

function run(c: Case): unknown {
  switch (c.kind) {
    case 'qr-parse': {
      const result = parseOfflinePayload(c.input as string);
      if (!result.ok) throw result.error;
      return offlinePayloadToJson(result.value);
    }
    case 'operation-data-builder':
      return buildOperationData(c.input as OperationDataInput);
    case 'text-escape':
      return escapeText(c.input as string);
    case 'payload-data-builder':
      return buildPayloadData(c.input as PayloadDataInput);
    case 'code-input': {
      const { text, componentLength } = c.input as { text: string; componentLength?: number };
      return normalizeTypedCode(text, { componentLength, factorCount: 2 });
    }
    case 'code-display':
      return formatCodeForDisplay(c.input as string);
  }
}

describe('payload-cases.json', () => {
  it('has the documented 137 cases of six kinds', () => {
    expect(cases.length).toBe(137);
    expect(new Set(cases.map((c) => c.kind)).size).toBe(6);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    if (c.valid) {
      const actual = run(c);
      expect(partialMismatch(actual, c.expected)).toBeNull();
      return;
    }
    let error: unknown;
    try {
      run(c);
    } catch (e) {
      error = e;
    }
    expect(error, 'must fail').toBeInstanceOf(PayloadFormatError);
    expect((error as PayloadFormatError).reason).toBe(c.reason);
  });
});

describe('payload-cases.json signed payloads (payload.md 8)', () => {
  const byId = new Map(cases.map((c) => [c.id, c]));
  const parse = (id: string) => {
    const c = byId.get(id);
    expect(c, id).toBeDefined();
    const result = parseOfflinePayload(c!.input as string);
    if (!result.ok) throw result.error;
    return result.value;
  };
  const p256Key = b64(
    'BGoJOebdNAUiJAsiVDwJ3sma6PlWRx68r2dB5hc/G5sZiXrBtjeqX4aNZTSoN9ITgO0QK8G58vXdQtMFvknPoQ8=',
  );
  const p384Master = b64(EXAMPLE.v4.masterPublic);
  const exampleServerKey = b64(EXAMPLE.v3.serverPublicKey);
  const macKey14 = hex('5bf32ac380091ee50daebd37b72ad43404144e6405b5b67a7fafdcfdda499b6a');
  const macKeyKat = hex('892c7d81a26668c218417654dcfd06570015401f28d1592bc3b78431cdde3846');

  it.each(['node', 'noble'] as const)('verify with the listed keys, fail with any other (%s)', (impl) => {
    const v3Example = parse('offcode:v3-personalized-crypto-example');
    expect(
      verifyOfflinePayloadSignature(suiteOf(impl), v3Example, {
        protocol: 3,
        serverPublicKey: exampleServerKey,
      }),
    ).toBe(true);
    expect(
      verifyOfflinePayloadSignature(suiteOf(impl), v3Example, { protocol: 3, serverPublicKey: p256Key }),
    ).toBe(false);

    const master = parse('offcode:v3-master-p256');
    const personalized = parse('offcode:v3-personalized-p256');
    expect(
      verifyOfflinePayloadSignature(suiteOf(impl), master, { protocol: 3, masterPublicKey: p256Key }),
    ).toBe(true);
    expect(
      verifyOfflinePayloadSignature(suiteOf(impl), personalized, { protocol: 3, serverPublicKey: p256Key }),
    ).toBe(true);
    expect(
      verifyOfflinePayloadSignature(suiteOf(impl), master, {
        protocol: 3,
        masterPublicKey: exampleServerKey,
      }),
    ).toBe(false);

    const tampered = parse('offcode:v3-master-p256-tampered');
    expect(
      verifyOfflinePayloadSignature(suiteOf(impl), tampered, { protocol: 3, masterPublicKey: p256Key }),
    ).toBe(false);

    const v4Master = parse('offcode:v4-master-p384');
    expect(
      verifyOfflinePayloadSignature(suiteOf(impl), v4Master, { protocol: 4, masterPublicKey: p384Master }),
    ).toBe(true);
    // A V3 token holds a P-256 master key: the P-384 payload never verifies there.
    expect(
      verifyOfflinePayloadSignature(suiteOf(impl), v4Master, { protocol: 3, masterPublicKey: p256Key }),
    ).toBe(false);

    const macTotp = parse('offcode:v4-personalized-mac-with-totp');
    const mac = parse('offcode:v4-personalized-mac');
    expect(macTotp.totp).toBe('23226405');
    expect(verifyOfflinePayloadSignature(SUITE, macTotp, { protocol: 4, macKey: macKey14 })).toBe(true);
    expect(verifyOfflinePayloadSignature(SUITE, mac, { protocol: 4, macKey: macKeyKat })).toBe(true);
    expect(verifyOfflinePayloadSignature(SUITE, mac, { protocol: 4, macKey: macKey14 })).toBe(false);
  });

  it('a V3 token sees WRONG_ACTIVATION for key type 2, a V4 token for key type 1', () => {
    expect(isKeyTypeValidFor(3, parse('offcode:v4-personalized-mac').keyType)).toBe(false);
    expect(isKeyTypeValidFor(4, parse('offcode:v3-personalized-p256').keyType)).toBe(false);
    expect(isKeyTypeValidFor(4, parse('offcode:v4-master-p384').keyType)).toBe(true);
  });
});
