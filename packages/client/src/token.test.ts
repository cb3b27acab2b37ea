import { signOfflinePayload } from '@offcode/protocol';
import { payloadCase, payloadCases } from '@offcode/test-harness/vectors';
import { describe, expect, it } from 'vitest';
import { exampleState, exampleStateText, V3_EXAMPLE, V4_EXAMPLE } from '../test/fixtures.js';
import { b64, fails, TEST_SUITE, toB64 } from '../test/helpers.js';
import { OffcodeClientError } from './errors.js';
import { parseState, serializeState } from './state.js';
import { MemoryTokenStore } from './stores/memory.js';
import { OffcodeToken } from './token.js';
import type { BiometryKeyStore } from './types.js';

type Backend = 'wasm' | 'noble';
// The Hermes stand-in run (vitest.hermes.config.ts) has no WebAssembly: noble only.
const BACKENDS: Backend[] = typeof WebAssembly === 'undefined' ? ['noble'] : ['wasm', 'noble'];
const EX = { 3: V3_EXAMPLE, 4: V4_EXAMPLE } as const;

function tokenWith(
  protocol: 3 | 4,
  backend: Backend = BACKENDS[0]!,
  opts: { biometry?: boolean; componentLength?: number } = {},
) {
  const store = new MemoryTokenStore(exampleStateText(protocol, opts));
  return { store, token: new OffcodeToken({ store, crypto: backend }) };
}

const stored = async (store: MemoryTokenStore) => parseState((await store.read())!);

describe.each(BACKENDS)('worked examples through the public API (%s)', (backend) => {
  describe.each([3, 4] as const)('protocol %i', (protocol) => {
    const ex = EX[protocol];
    const qr = () => payloadCase(ex.payloadCase);

    it('scan verifies the personalized example payload and offers pin + biometry (flag B)', async () => {
      const { token } = tokenWith(protocol, backend);
      const op = await token.scan(qr());
      expect(op.allowed).toEqual(['pin', 'biometry']);
      expect(op.payload.operationId).toBe('5ff1b1ed-a3cc-45a3-8ab0-ed60950312b6');
      expect(Object.isFrozen(op)).toBe(true);
    });

    it('approve with PIN 1234 gives the crypto.md code and stores next(ctrData) before returning', async () => {
      const { token, store } = tokenWith(protocol, backend);
      const res = await token.approve(await token.scan(qr()), { pin: '1234' });
      expect(res.code).toBe(ex.code);
      expect(res.display).toBe(
        `${ex.code.slice(0, 4)}-${ex.code.slice(4, 8)}-${ex.code.slice(9, 13)}-${ex.code.slice(13)}`,
      );
      expect(res.counter).toBe(1);
      const s = await stored(store);
      expect(toB64(s.ctrData)).toBe(ex.next);
      expect(s.counter).toBe(1);
    });

    it('a wrong PIN yields the crypto.md wrong-PIN code (first group still right), no local error', async () => {
      const { token, store } = tokenWith(protocol, backend);
      const res = await token.approve(qr(), { pin: '1235' });
      expect(res.code).toBe(ex.wrongPinCode);
      expect(res.code.slice(0, 8)).toBe(ex.code.slice(0, 8));
      // A wrong PIN consumes a counter value too.
      expect(toB64((await stored(store)).ctrData)).toBe(ex.next);
    });

    it('approve with biometry gives the possession_biometry code', async () => {
      const { token } = tokenWith(protocol, backend);
      expect((await token.approve(qr(), { biometry: true })).code).toBe(ex.biometryCode);
    });
  });

  it('component length: V3 L=4 and V4 L=6 (crypto.md §13/§14)', async () => {
    const v3 = tokenWith(3, backend);
    expect(
      (await v3.token.approve(payloadCase(V3_EXAMPLE.payloadCase), { pin: '1234' }, { componentLength: 4 }))
        .code,
    ).toBe(V3_EXAMPLE.codeL4);
    const v4 = tokenWith(4, backend, { componentLength: 6 });
    const r = await v4.token.approve(payloadCase(V4_EXAMPLE.payloadCase), { pin: '1234' });
    expect(r.code).toBe(V4_EXAMPLE.codeL6);
    expect(r.display).toBe(V4_EXAMPLE.codeL6); // only 8-8 codes are regrouped for display
  });

  it('the next code uses the next counter value (crypto.md §13)', async () => {
    const { token, store } = tokenWith(3, backend);
    const qr = payloadCase(V3_EXAMPLE.payloadCase);
    expect((await token.approve(qr, { pin: '1234' })).code).toBe(V3_EXAMPLE.code);
    expect((await token.approve(qr, { pin: '1234' })).code).toBe(V3_EXAMPLE.nextCode);
    const s = await stored(store);
    expect(toB64(s.ctrData)).toBe(V3_EXAMPLE.next2);
    expect(s.counter).toBe(2);
  });
});

describe('scan', () => {
  it('verifies key type 0 with the master key (V3 P-256, V4 P-384)', async () => {
    const v3 = new OffcodeToken({ store: new MemoryTokenStore(exampleStateText(3)) });
    expect((await v3.scan(payloadCase('offcode:v3-master-p256'))).payload.keyType).toBe(0);
    const v4 = new OffcodeToken({ store: new MemoryTokenStore(exampleStateText(4)) });
    expect((await v4.scan(payloadCase('offcode:v4-master-p384'))).payload.keyType).toBe(0);
  });

  it('verifies every signed case of payload.md §8 with its key', async () => {
    const v3 = {
      ...exampleState(3),
      serverPublicKey: b64(
        'BGoJOebdNAUiJAsiVDwJ3sma6PlWRx68r2dB5hc/G5sZiXrBtjeqX4aNZTSoN9ITgO0QK8G58vXdQtMFvknPoQ8=',
      ),
    };
    const t3 = new OffcodeToken({ store: new MemoryTokenStore(serializeState(v3)) });
    expect((await t3.scan(payloadCase('offcode:v3-personalized-p256'))).payload.keyType).toBe(1);
    expect((await t3.scan(payloadCase('offcode:v3-master-p256'))).payload.keyType).toBe(0);
    const v4 = {
      ...exampleState(4),
      macKey: Buffer.from('892c7d81a26668c218417654dcfd06570015401f28d1592bc3b78431cdde3846', 'hex'),
    };
    const t4 = new OffcodeToken({ store: new MemoryTokenStore(serializeState(v4)) });
    expect((await t4.scan(payloadCase('offcode:v4-personalized-mac'))).payload.keyType).toBe(2);
    expect((await t4.scan(payloadCase('offcode:v4-master-p384'))).payload.keyType).toBe(0);
    // And the §14 MAC case fails with that other key.
    await fails(t4.scan(payloadCase('offcode:v4-personalized-mac-with-totp')), 'SIGNATURE_INVALID');
  });

  it('refuses a tampered payload with SIGNATURE_INVALID', async () => {
    const v3 = new OffcodeToken({ store: new MemoryTokenStore(exampleStateText(3)) });
    await fails(v3.scan(payloadCase('offcode:v3-master-p256-tampered')), 'SIGNATURE_INVALID');
    // Flipping one character of the signed part of the worked example breaks it too.
    const qr = payloadCase(V3_EXAMPLE.payloadCase).replace('A100CZK', 'A900CZK');
    const e = await fails(v3.scan(qr), 'SIGNATURE_INVALID');
    expect(e.message).toMatch(/not issued for this activation, or modified/);
  });

  it('refuses payloads personalized for another activation', async () => {
    const v3 = new OffcodeToken({ store: new MemoryTokenStore(exampleStateText(3)) });
    const v4 = new OffcodeToken({ store: new MemoryTokenStore(exampleStateText(4)) });
    // Same protocol, other activation's key: the signature/MAC does not verify.
    await fails(v3.scan(payloadCase('offcode:v3-personalized-p256')), 'SIGNATURE_INVALID');
    await fails(v4.scan(payloadCase('offcode:v4-personalized-mac')), 'SIGNATURE_INVALID');
    // The other protocol's key type.
    await fails(v3.scan(payloadCase('offcode:v4-personalized-mac-with-totp')), 'WRONG_ACTIVATION');
    await fails(v3.scan(payloadCase('offcode:v4-personalized-mac')), 'WRONG_ACTIVATION');
    await fails(v4.scan(payloadCase('offcode:v3-personalized-crypto-example')), 'WRONG_ACTIVATION');
    await fails(v4.scan(payloadCase('offcode:v3-personalized-p256')), 'WRONG_ACTIVATION');
    // Key type 0 of the other curve does not verify either.
    await fails(v3.scan(payloadCase('offcode:v4-master-p384')), 'SIGNATURE_INVALID');
    await fails(v4.scan(payloadCase('offcode:v3-master-p256')), 'SIGNATURE_INVALID');
  });

  it('reports parser failures as INVALID_QR with the payload reason', async () => {
    const token = new OffcodeToken({ store: new MemoryTokenStore(exampleStateText(3)) });
    for (const c of payloadCases().filter((x) => x.kind === 'qr-parse' && !x.valid)) {
      const e = await fails(token.scan(c.input as string), 'INVALID_QR');
      expect(e.reason).toBe(c.reason);
    }
    await fails(token.scan(new Uint8Array([0xff, 0xfe])), 'INVALID_QR');
    await fails(token.scan(42 as unknown as string), 'INVALID_INPUT');
  });

  it('offers biometry only with flag B and a biometry key', async () => {
    const noBio = new OffcodeToken({ store: new MemoryTokenStore(exampleStateText(3, { biometry: false })) });
    expect((await noBio.scan(payloadCase(V3_EXAMPLE.payloadCase))).allowed).toEqual(['pin']);
    const withBio = new OffcodeToken({ store: new MemoryTokenStore(exampleStateText(4)) });
    expect((await withBio.scan(unsignedFlagPayload())).allowed).toEqual(['pin']);
  });

  it('NOT_ACTIVATED without a token or after the server removed the activation', async () => {
    await fails(
      new OffcodeToken({ store: new MemoryTokenStore() }).scan(payloadCase(V3_EXAMPLE.payloadCase)),
      'NOT_ACTIVATED',
    );
    const removed = { ...exampleState(3), activationStatus: 'REMOVED' as const };
    const token = new OffcodeToken({ store: new MemoryTokenStore(serializeState(removed)) });
    await fails(token.scan(payloadCase(V3_EXAMPLE.payloadCase)), 'NOT_ACTIVATED');
    await fails(token.approve(payloadCase(V3_EXAMPLE.payloadCase), { pin: '1234' }), 'NOT_ACTIVATED');
    expect((await token.status()).activationStatus).toBe('REMOVED');
  });

  it('a corrupt state is STORAGE_FAILURE, never a reset', async () => {
    const store = new MemoryTokenStore('{"format":"offcode-token/1"');
    await fails(new OffcodeToken({ store }).scan(payloadCase(V3_EXAMPLE.payloadCase)), 'STORAGE_FAILURE');
    expect(await store.read()).toBe('{"format":"offcode-token/1"');
    // A public key that is not on the curve is caught when the state is read.
    const doc = JSON.parse(exampleStateText(3));
    const bad = b64(doc.serverPublicKey);
    bad[64] = bad[64]! ^ 1;
    doc.serverPublicKey = toB64(bad);
    await fails(
      new OffcodeToken({ store: new MemoryTokenStore(JSON.stringify(doc)) }).status(),
      'STORAGE_FAILURE',
    );
  });
});

/** A V4 payload MAC'd with the §14 key but without flag B. */
function unsignedFlagPayload(): string {
  const signedData =
    '5ff1b1ed-a3cc-45a3-8ab0-ed60950312b6\nPayment\nPlease confirm this payment\nA1*A100CZK*ICZ2730300000001165254011*D20180425\n\noKGio6SlpqeoqaqrrK2urw==\n2';
  return signOfflinePayload(TEST_SUITE, { signedData, keyType: 2, protocol: 4, macKey: V4_EXAMPLE.mac });
}

describe('approve', () => {
  it('biometry needs flag B (BIOMETRY_NOT_ALLOWED) and a biometry key (BIOMETRY_UNAVAILABLE)', async () => {
    const { token, store } = tokenWith(4);
    const before = await store.read();
    await fails(token.approve(unsignedFlagPayload(), { biometry: true }), 'BIOMETRY_NOT_ALLOWED');
    const noBio = tokenWith(4, BACKENDS[0], { biometry: false });
    await fails(
      noBio.token.approve(payloadCase(V4_EXAMPLE.payloadCase), { biometry: true }),
      'BIOMETRY_UNAVAILABLE',
    );
    // Refusals consume no counter value.
    expect(await store.read()).toBe(before);
    // The PIN path still works on a payload without B.
    expect((await token.approve(unsignedFlagPayload(), { pin: '1234' })).code).toMatch(/^\d{8}-\d{8}$/);
  });

  it('never computes a code for an unverified payload, even from a hand-made ScannedOperation', async () => {
    const { token, store } = tokenWith(3);
    const op = await token.scan(payloadCase(V3_EXAMPLE.payloadCase));
    const forged = {
      ...op,
      payload: { ...op.payload, signedData: op.payload.signedData.replace('A100', 'A999') },
    };
    await fails(token.approve(forged, { pin: '1234' }), 'SIGNATURE_INVALID');
    expect(await store.read()).toBe(exampleStateText(3));
  });

  it('a store whose write rejects → STORAGE_FAILURE and no code', async () => {
    class FailingStore extends MemoryTokenStore {
      override async write(): Promise<void> {
        throw new Error('disk full');
      }
    }
    const store = new FailingStore(exampleStateText(3));
    let persisted = false;
    const token = new OffcodeToken({
      store,
      afterCounterPersisted: () => {
        persisted = true;
      },
    });
    const e = await fails(
      token.approve(payloadCase(V3_EXAMPLE.payloadCase), { pin: '1234' }),
      'STORAGE_FAILURE',
    );
    expect(e.message).not.toMatch(/\d{8}/);
    expect(persisted).toBe(false);
    expect(await store.read()).toBe(exampleStateText(3));
  });

  it('two concurrent approvals serialize: two different codes, counter + 2', async () => {
    const { token, store } = tokenWith(3);
    const qr = payloadCase(V3_EXAMPLE.payloadCase);
    const [a, b] = await Promise.all([
      token.approve(qr, { pin: '1234' }),
      token.approve(qr, { pin: '1234' }),
    ]);
    expect(new Set([a.code, b.code])).toEqual(new Set([V3_EXAMPLE.code, V3_EXAMPLE.nextCode]));
    const s = await stored(store);
    expect(s.counter).toBe(2);
    expect(toB64(s.ctrData)).toBe(V3_EXAMPLE.next2);
  });

  it('the counter is durable before the code is returned', async () => {
    const store = new MemoryTokenStore(exampleStateText(4));
    const seen: string[] = [];
    const token = new OffcodeToken({
      store,
      afterCounterPersisted: async (counter) => {
        seen.push(`${counter}:${toB64((await stored(store)).ctrData)}`);
      },
    });
    await token.approve(payloadCase(V4_EXAMPLE.payloadCase), { pin: '1234' });
    expect(seen).toEqual([`1:${V4_EXAMPLE.next}`]);
  });

  it('platform biometry keystore: unlock → code; cancel → BIOMETRY_UNAVAILABLE', async () => {
    let answer: Uint8Array | null = V3_EXAMPLE.biometry.slice();
    const prompts: string[] = [];
    const keystore: BiometryKeyStore = {
      save: async () => 'ref-1',
      unlock: async (ref, prompt) => {
        prompts.push(`${ref}|${prompt}`);
        return answer?.slice() ?? null;
      },
      remove: async () => undefined,
    };
    const state = { ...exampleState(3), biometryKey: { protection: 'platform' as const, ref: 'ref-1' } };
    const token = new OffcodeToken({
      store: new MemoryTokenStore(serializeState(state)),
      biometryKeyStore: keystore,
    });
    const qr = payloadCase(V3_EXAMPLE.payloadCase);
    expect((await token.approve(qr, { biometry: true }, { biometryPrompt: 'Pay 100 CZK?' })).code).toBe(
      V3_EXAMPLE.biometryCode,
    );
    expect(prompts).toEqual(['ref-1|Pay 100 CZK?']);
    answer = null;
    await fails(token.approve(qr, { biometry: true }), 'BIOMETRY_UNAVAILABLE');
  });

  it.each([[{}], [{ pin: '1234', biometry: true }], [{ pin: '12' }], [{ biometry: false }], [null]])(
    'refuses auth %j with INVALID_INPUT',
    async (auth) => {
      const { token, store } = tokenWith(3);
      await fails(token.approve(payloadCase(V3_EXAMPLE.payloadCase), auth as never), 'INVALID_INPUT');
      expect(await store.read()).toBe(exampleStateText(3));
    },
  );

  it('refuses a bad component length or uriId', async () => {
    const { token } = tokenWith(3);
    const qr = payloadCase(V3_EXAMPLE.payloadCase);
    await fails(token.approve(qr, { pin: '1234' }, { componentLength: 9 }), 'INVALID_INPUT');
    await fails(token.approve(qr, { pin: '1234' }, { uriId: '' }), 'INVALID_INPUT');
  });

  it('another uriId changes the code (both sides must agree)', async () => {
    const { token } = tokenWith(3);
    const r = await token.approve(payloadCase(V3_EXAMPLE.payloadCase), { pin: '1234' }, { uriId: '/other' });
    expect(r.code.slice(0, 8)).not.toBe(V3_EXAMPLE.code.slice(0, 8));
  });
});

describe('changePin and reset', () => {
  it('re-wraps with a fresh salt; the new PIN gives the right code', async () => {
    const { token, store } = tokenWith(4);
    await token.changePin('1234', '987654');
    const s = await stored(store);
    expect(toB64(s.knowledgeKey.salt)).not.toBe(toB64(exampleState(4).knowledgeKey.salt));
    expect((await token.approve(payloadCase(V4_EXAMPLE.payloadCase), { pin: '987654' })).code).toBe(
      V4_EXAMPLE.code,
    );
  });

  it('a wrong old PIN cannot be detected: the token then produces wrong codes', async () => {
    const { token } = tokenWith(4);
    await token.changePin('0000', '5555');
    const r = await token.approve(payloadCase(V4_EXAMPLE.payloadCase), { pin: '5555' });
    expect(r.code.slice(0, 8)).toBe(V4_EXAMPLE.code.slice(0, 8));
    expect(r.code).not.toBe(V4_EXAMPLE.code);
  });

  it('reset deletes the local state, even a corrupt one', async () => {
    const { token, store } = tokenWith(3);
    await token.reset();
    expect(await store.read()).toBeNull();
    await fails(token.status(), 'NOT_ACTIVATED');
    const corrupt = new MemoryTokenStore('garbage');
    await new OffcodeToken({ store: corrupt }).reset();
    expect(await corrupt.read()).toBeNull();
  });
});

describe('crypto engine selection', () => {
  it('auto = wasm where WebAssembly exists, else noble (Hermes stand-in run)', () => {
    const token = new OffcodeToken({ store: new MemoryTokenStore() });
    expect(token.engine.backend).toBe(typeof WebAssembly === 'undefined' ? 'noble' : 'wasm');
    expect(new OffcodeToken({ store: new MemoryTokenStore(), crypto: 'noble' }).engine.backend).toBe('noble');
  });

  it('an unknown backend name is INVALID_INPUT', () => {
    expect(
      () => new OffcodeToken({ store: new MemoryTokenStore(), crypto: 'gpu' as never }).engine,
    ).toThrowError(OffcodeClientError);
  });
});

describe('status (local)', () => {
  it('summarises without secrets', async () => {
    const { token } = tokenWith(4);
    const st = await token.status();
    expect(st).toEqual({
      activationId: exampleState(4).activationId,
      protocol: 4,
      activationStatus: 'ACTIVE',
      blockedReason: null,
      statusCheckedAt: null,
      applicationId: 'offcode-demo',
      serverUrl: 'http://127.0.0.1:8080',
      componentLength: 8,
      counter: 0,
      biometry: true,
      mechanism: 'plain',
      createdAt: '2025-05-01T10:00:00.000Z',
      updatedAt: '2025-05-01T10:00:00.000Z',
    });
  });
});
