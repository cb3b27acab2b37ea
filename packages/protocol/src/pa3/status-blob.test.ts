import { bytesToHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  b64,
  hx,
  readActivationVector,
  type SdkParsedBlob,
  STATUS_NAMES,
  type StatusFile,
  SUITES,
} from '../../test/activation-vectors.js';
import { encodeBase64 } from '../base64.js';
import { ProtocolError } from '../errors.js';
import type { CryptoSuite } from '../suite.js';
import { aes128CbcEncrypt } from './aes-cbc.js';
import { kdfIndex } from './primitives.js';
import {
  buildStatusBlob,
  decryptStatusBlob,
  encryptStatusBlob,
  hashCounterDistance,
  parseStatusBlob,
  type StatusBlobFields,
  statusBlobCtrDataHash,
  statusBlobIv,
} from './status-blob.js';

const file = readActivationVector<StatusFile>('activation-status-blob.json');

function expectProtocolError(fn: () => unknown, field: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as ProtocolError).field).toBe(field);
    return;
  }
  expect.unreachable(`expected a ProtocolError on ${field}`);
}

function sdkView(f: StatusBlobFields): SdkParsedBlob {
  return {
    state: STATUS_NAMES.indexOf(f.status) + 1,
    currentVersion: f.currentVersion,
    upgradeVersion: f.upgradeVersion,
    failCount: f.failedAttempts,
    maxFailCount: f.maxFailedAttempts,
    lookAheadCount: f.ctrLookAhead,
    ctrByte: f.ctrByte,
    ctrDataHashHex: bytesToHex(f.ctrDataHash),
  };
}

/** A valid plaintext with one byte changed. */
function withByte(hex: string, index: number, value: number): Uint8Array {
  const bytes = hx(hex);
  bytes[index] = value;
  return bytes;
}

function keysOf(c: StatusFile['cases'][number]) {
  return {
    transportKey: hx(c.input.KEY_TRANSPORT),
    challenge: b64(c.input.challengeBase64),
    nonce: b64(c.input.nonceBase64),
  };
}

function encryptRaw(suite: CryptoSuite, c: StatusFile['cases'][number], plaintext: Uint8Array): Uint8Array {
  const k = keysOf(c);
  return aes128CbcEncrypt(suite, k.transportKey, statusBlobIv(suite, k), plaintext, { padding: false });
}

describe.each(SUITES)('activation status blob on $name', (suite) => {
  it.each(file.cases.map((c) => [c.id, c] as const))(
    '%s: keys, IV, build, encrypt, decrypt, counter distance',
    (_id, c) => {
      const keys = keysOf(c);
      const f = c.input.fields;
      expect(bytesToHex(kdfIndex(suite, keys.transportKey, 3000))).toBe(c.derived.KEY_TRANSPORT_IV);
      expect(bytesToHex(kdfIndex(suite, keys.transportKey, 4000))).toBe(c.derived.KEY_TRANSPORT_CTR);
      const ctrDataHash = statusBlobCtrDataHash(suite, keys.transportKey, b64(c.input.serverCtrDataBase64));
      expect(bytesToHex(ctrDataHash)).toBe(c.derived.ctrDataHashHex);
      expect(bytesToHex(statusBlobIv(suite, keys))).toBe(c.derived.statusIvHex);
      const plaintext = buildStatusBlob({
        status: STATUS_NAMES[f.activationStatus - 1]!,
        currentVersion: f.currentVersion,
        upgradeVersion: f.upgradeVersion,
        reserved: hx(f.reservedHex),
        ctrByte: f.ctrByte,
        failedAttempts: f.failedAttempts,
        maxFailedAttempts: f.maxFailedAttempts,
        ctrLookAhead: f.ctrLookAhead,
        ctrDataHash,
      });
      expect(bytesToHex(plaintext)).toBe(c.derived.statusBlobPlaintextHex);
      const encrypted = encryptStatusBlob(suite, { ...keys, plaintext });
      expect(encodeBase64(encrypted)).toBe(c.output.encryptedStatusBlob);

      const parsed = decryptStatusBlob(suite, {
        ...keys,
        encryptedStatusBlob: b64(c.output.encryptedStatusBlob),
      });
      expect(sdkView(parsed)).toEqual(c.sdkParsed);
      expect(bytesToHex(parsed.reserved)).toBe(f.reservedHex);
      const distance = hashCounterDistance(suite, {
        transportKey: keys.transportKey,
        ctrData: b64(c.input.clientCtrDataBase64),
        ctrDataHash: parsed.ctrDataHash,
        lookAhead: parsed.ctrLookAhead,
      });
      expect(distance ?? -1).toBe(c.sdkChecks.sdkHashCounterDistance);

      const java = decryptStatusBlob(suite, {
        ...keys,
        encryptedStatusBlob: b64(c.javaServerBlob.encryptedStatusBlob),
      });
      expect(sdkView(java)).toEqual(c.javaServerBlob.sdkParsed);
      expect(bytesToHex(java.reserved)).toBe(c.javaServerBlob.reservedHex);
    },
  );

  it('the 8 upstream blob plaintexts parse to the SDK fields', () => {
    const upstream = file.upstreamVectorResults['activation-status-blob-data.json'];
    expect(upstream.length).toBe(8);
    for (const u of upstream)
      expect(sdkView(parseStatusBlob(hx(u.decryptedPlaintextHex)))).toEqual(u.sdkParsed);
  });

  it('refuses what the SDK refuses: short, long and padded blobs, bad magic, state, lookahead', () => {
    const c = file.cases[4]!;
    const keys = keysOf(c);
    const plain = c.derived.statusBlobPlaintextHex;
    const encrypted = b64(c.output.encryptedStatusBlob);
    expectProtocolError(
      () => decryptStatusBlob(suite, { ...keys, encryptedStatusBlob: encrypted.subarray(0, 31) }),
      'encryptedStatusBlob',
    );
    expectProtocolError(
      () => decryptStatusBlob(suite, { ...keys, encryptedStatusBlob: encrypted.subarray(0, 16) }),
      'encryptedStatusBlob',
    );
    const padded = aes128CbcEncrypt(suite, keys.transportKey, statusBlobIv(suite, keys), hx(plain), {
      padding: true,
    });
    expect(padded.length).toBe(48);
    expectProtocolError(
      () => decryptStatusBlob(suite, { ...keys, encryptedStatusBlob: padded }),
      'encryptedStatusBlob',
    );
    expectProtocolError(() => parseStatusBlob(hx(plain).subarray(0, 31)), 'statusBlob');
    expectProtocolError(() => parseStatusBlob(new Uint8Array([...hx(plain), 0])), 'statusBlob');
    for (const [index, value] of [
      [3, 0xd0],
      [3, 0xc1],
      [0, 0xdf],
      [4, 0],
      [4, 6],
      [15, 0],
      [15, 65],
    ] as const) {
      expectProtocolError(
        () =>
          decryptStatusBlob(suite, {
            ...keys,
            encryptedStatusBlob: encryptRaw(suite, c, withByte(plain, index, value)),
          }),
        'statusBlob',
      );
    }
    expect(parseStatusBlob(withByte(plain, 3, 0xd2)).status).toBe('ACTIVE');
    expect(parseStatusBlob(withByte(plain, 15, 64)).ctrLookAhead).toBe(64);
    // Another challenge or key garbles the blob: the magic no longer matches.
    const otherChallenge = { ...keys, challenge: new Uint8Array(16) };
    expectProtocolError(
      () => decryptStatusBlob(suite, { ...otherChallenge, encryptedStatusBlob: encrypted }),
      'statusBlob',
    );
    expectProtocolError(
      () =>
        decryptStatusBlob(suite, {
          ...keys,
          transportKey: new Uint8Array(15),
          encryptedStatusBlob: encrypted,
        }),
      'transportKey',
    );
  });

  it('refuses fields the SDK could not read and bad counter-distance arguments', () => {
    const base = parseStatusBlob(hx(file.cases[0]!.derived.statusBlobPlaintextHex));
    expectProtocolError(() => buildStatusBlob({ ...base, ctrLookAhead: 0 }), 'ctrLookAhead');
    expectProtocolError(() => buildStatusBlob({ ...base, ctrLookAhead: 65 }), 'ctrLookAhead');
    expectProtocolError(() => buildStatusBlob({ ...base, ctrByte: 256 }), 'ctrByte');
    expectProtocolError(() => buildStatusBlob({ ...base, status: 'UNKNOWN' as 'ACTIVE' }), 'status');
    expectProtocolError(() => buildStatusBlob({ ...base, ctrDataHash: new Uint8Array(15) }), 'ctrDataHash');
    expectProtocolError(() => buildStatusBlob({ ...base, reserved: new Uint8Array(4) }), 'reserved');
    expect(buildStatusBlob({ ...base, reserved: undefined }).length).toBe(32);
    const args = {
      transportKey: new Uint8Array(16),
      ctrData: new Uint8Array(16),
      ctrDataHash: new Uint8Array(16),
      lookAhead: 20,
    };
    expectProtocolError(() => hashCounterDistance(suite, { ...args, lookAhead: 0 }), 'lookAhead');
    expectProtocolError(
      () => hashCounterDistance(suite, { ...args, ctrData: new Uint8Array(32) }),
      'ctrData',
    );
  });
});

describe('status blob parser (property)', () => {
  const fields = fc.record({
    status: fc.constantFrom(...STATUS_NAMES),
    currentVersion: fc.integer({ min: 0, max: 255 }),
    upgradeVersion: fc.integer({ min: 0, max: 255 }),
    reserved: fc.uint8Array({ minLength: 5, maxLength: 5 }),
    ctrByte: fc.integer({ min: 0, max: 255 }),
    failedAttempts: fc.integer({ min: 0, max: 255 }),
    maxFailedAttempts: fc.integer({ min: 0, max: 255 }),
    ctrLookAhead: fc.integer({ min: 1, max: 64 }),
    ctrDataHash: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  });

  it('reads back every blob it builds', () => {
    fc.assert(
      fc.property(fields, (f) => {
        expect(parseStatusBlob(buildStatusBlob(f))).toEqual(f);
      }),
    );
  });

  it('throws nothing but ProtocolError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 48 }), fc.anything()), (bytes) => {
        try {
          const f = parseStatusBlob(bytes);
          expect(STATUS_NAMES).toContain(f.status);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
