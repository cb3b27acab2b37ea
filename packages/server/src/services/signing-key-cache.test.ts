/**
 * The signing-key cache (server.md §5.4): with a warm cache the row still decides — a blocked or removed
 * activation is refused, a tampered, re-sealed or rotated key is a miss that opens the stored envelope again
 * (and fails or signs exactly as an uncached server would). Envelope openings are counted with a spy that
 * calls through to the real cipher.
 */
import { decodeBase64Strict } from '@offcode/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import {
  activateDevice,
  createApp,
  errorCode,
  makeServer,
  paymentData,
  TEST_MASTER_KEY,
} from '../../test/harness.js';
import { type OpenedStorage, storageFactories } from '../../test/storages.js';
import { SUITE } from '../../test/suite.js';
import { AtRestCipher } from '../at-rest.js';
import type { OffcodeServer } from '../server.js';
import { SigningKeyCache } from './signing-key-cache.js';

const KEY_2 = 'ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=';

describe.each(storageFactories)('signing-key cache on $name', (factory) => {
  let opened: OpenedStorage;
  let server: OffcodeServer;
  let app: string;
  let opens: MockInstance<AtRestCipher['open']>;

  beforeAll(async () => {
    opens = vi.spyOn(AtRestCipher.prototype, 'open');
    opened = await factory.open();
    ({ server } = await makeServer(opened.storage));
    app = await createApp(server);
  });
  afterEach(() => opens.mockClear());
  afterAll(async () => {
    opens.mockRestore();
    await opened?.cleanup();
  });

  const create = (s: OffcodeServer, activationId: string) =>
    s.offline.createPersonalized(3, { activationId, data: paymentData() });

  it('V3: the second payload of an activation opens no envelope; both verify and their codes are accepted', async () => {
    const device = await activateDevice(server, app, 3);
    opens.mockClear();
    const first = await create(server, device.activationId);
    expect(opens).toHaveBeenCalledTimes(1);
    const second = await create(server, device.activationId);
    expect(opens).toHaveBeenCalledTimes(1);
    for (const created of [first, second]) {
      const payload = device.readPayload(created.offlineData); // checks the signature
      const outcome = await server.offline.verifyOutcome(
        3,
        device.verifyRequest(payload, device.computeCode(payload)),
      );
      expect(outcome.valid).toBe(true);
    }
  });

  it('a blocked or removed activation is refused with a warm cache', async () => {
    const device = await activateDevice(server, app, 3);
    await create(server, device.activationId);
    await server.activations.block({ activationId: device.activationId });
    expect(await errorCode(create(server, device.activationId))).toBe('ERR0008');
    await server.activations.unblock({ activationId: device.activationId });
    expect(await errorCode(create(server, device.activationId))).toBe('OK');
    await server.activations.remove({ activationId: device.activationId });
    expect(await errorCode(create(server, device.activationId))).toBe('ERR0008');
  });

  it('a tampered sealed key is a miss and fails authentication (ERR0022) with a warm cache', async () => {
    const device = await activateDevice(server, app, 3);
    await create(server, device.activationId);
    const r = await opened.storage.query<{ k: Uint8Array }>(
      'SELECT server_private_key AS k FROM oc_activation WHERE activation_id = $1',
      [device.activationId],
    );
    const original = new Uint8Array(r.rows[0]!.k);
    const tampered = original.slice();
    tampered[tampered.length - 1]! ^= 1;
    const set = (k: Uint8Array) =>
      opened.storage.query('UPDATE oc_activation SET server_private_key = $1 WHERE activation_id = $2', [
        k,
        device.activationId,
      ]);
    await set(tampered);
    expect(await errorCode(create(server, device.activationId))).toBe('ERR0022');
    await set(original);
    expect(await errorCode(create(server, device.activationId))).toBe('OK');
  });

  it('re-sealed under a new at-rest key: the old process misses (ERR0021 like an uncached one), the new one signs', async () => {
    const device = await activateDevice(server, app, 3);
    await create(server, device.activationId);
    const { server: rotated } = await makeServer(opened.storage, {
      OFFCODE_MASTER_KEY: KEY_2,
      OFFCODE_MASTER_KEY_PREVIOUS: TEST_MASTER_KEY,
    });
    const before = await create(rotated, device.activationId); // warm in the rotated process too
    expect((await rotated.maintenance.reseal()).resealed['oc_activation.server_private_key']).toBeGreaterThan(
      0,
    );
    expect(await errorCode(create(server, device.activationId))).toBe('ERR0021');
    opens.mockClear();
    const after = await create(rotated, device.activationId);
    expect(opens).toHaveBeenCalledTimes(1); // new envelope bytes: opened again
    for (const created of [before, after]) expect(device.readPayload(created.offlineData).keyType).toBe(1);
    // Back under one key for the later tests of this storage.
    const { server: back } = await makeServer(opened.storage, {
      OFFCODE_MASTER_KEY: TEST_MASTER_KEY,
      OFFCODE_MASTER_KEY_PREVIOUS: KEY_2,
    });
    await back.maintenance.reseal();
  });

  it.each([3, 4] as const)(
    'V%i non-personalized: after a master key rotation the new key signs',
    async (version) => {
      const name = await createApp(server);
      const device = await activateDevice(server, name, version);
      const curve = version === 3 ? 'EC_P256' : 'EC_P384';
      const first = await server.offline.createNonPersonalized(version, {
        applicationId: name,
        data: paymentData(),
      });
      opens.mockClear();
      await server.offline.createNonPersonalized(version, { applicationId: name, data: paymentData() });
      expect(opens).not.toHaveBeenCalled();
      const oldKey = decodeBase64Strict(
        (await server.applications.detail({ applicationId: name })).masterPublicKeys[curve]!,
      );
      const rotated = await server.applications.rotateMasterKeys({ applicationId: name });
      const newKey = decodeBase64Strict(rotated.masterPublicKeys[curve]!);
      const after = await server.offline.createNonPersonalized(version, {
        applicationId: name,
        data: paymentData(),
      });
      expect(opens).toHaveBeenCalledTimes(1);
      expect(device.readPayload(first.offlineData, oldKey).keyType).toBe(0);
      expect(device.readPayload(after.offlineData, newKey).keyType).toBe(0);
      expect(() => device.readPayload(after.offlineData, oldKey)).toThrow();
    },
  );
});

describe('SigningKeyCache bound', () => {
  it('keeps at most max keys and drops the least recently used', () => {
    const cache = new SigningKeyCache(2);
    const opened: string[] = [];
    const scalar = (n: number) => () => {
      opened.push(String(n));
      return Uint8Array.of(n);
    };
    const a = cache.get('a', 'P-256', SUITE, scalar(1));
    cache.get('b', 'P-256', SUITE, scalar(2));
    expect(cache.get('a', 'P-256', SUITE, scalar(1))).toBe(a); // hit: a is now the most recent
    cache.get('c', 'P-256', SUITE, scalar(3)); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.get('a', 'P-256', SUITE, scalar(1))).toBe(a);
    cache.get('b', 'P-256', SUITE, scalar(2));
    expect(opened).toEqual(['1', '2', '3', '2']);
    expect([cache.hits, cache.misses]).toEqual([2, 4]);
  });

  it('zeroes the opened scalar and remembers nothing when it is not a valid key', () => {
    const cache = new SigningKeyCache(2);
    const plain = new Uint8Array(32); // 0 is not a P-256 scalar
    plain[0] = 0;
    expect(() => cache.get('z', 'P-256', SUITE, () => plain)).toThrow();
    const seven = Uint8Array.of(7);
    cache.get('s', 'P-256', SUITE, () => seven);
    expect([...seven]).toEqual([0]);
    expect(cache.size).toBe(1);
  });
});
