/**
 * One way to choose the crypto backend (issue 11 item 4): every hash and MAC of an activation exchange, a
 * payload creation and a verification runs on the server's configured engine. A counting wrapper around a
 * real engine is given to `createOffcodeServer({ crypto })`, and the process-wide wasm and noble engines
 * (`getWasmCrypto()`, `getNobleCrypto()`) are spied on: they must see no call at all. The simulated devices
 * run on an engine instance of their own, so their calls count nowhere.
 */
import {
  getNobleCrypto,
  getWasmCrypto,
  OFFCODE_CRYPTO_METHODS,
  type OffcodeCrypto,
} from '@offcode/crypto-wasm';
import { createWasmCrypto } from '@offcode/crypto-wasm/wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateDevice, createApp, makeServer, paymentData } from './harness.js';
import { type OpenedStorage, storageFactories } from './storages.js';

const METHODS = OFFCODE_CRYPTO_METHODS;
type Method = (typeof METHODS)[number];
type Counts = Record<Method, number>;

const zero = (): Counts => Object.fromEntries(METHODS.map((m) => [m, 0])) as Counts;
const total = (c: Counts): number => METHODS.reduce((n, m) => n + c[m], 0);

/** A real engine behind a wrapper that counts every call per method. */
function countingEngine(inner: OffcodeCrypto): { engine: OffcodeCrypto; counts: Counts } {
  const counts = zero();
  const engine = { backend: inner.backend } as Record<string, unknown>;
  for (const m of METHODS) {
    const real = inner[m] as (...args: unknown[]) => unknown;
    engine[m] = (...args: unknown[]) => {
      counts[m]++;
      return real.apply(inner, args);
    };
  }
  return { engine: engine as unknown as OffcodeCrypto, counts };
}

/** Replaces the methods of a process-wide engine with counting ones; `restore` puts the originals back. */
function spyOnSingleton(engine: OffcodeCrypto): { counts: Counts; restore(): void } {
  const counts = zero();
  const target = engine as unknown as Record<Method, (...args: unknown[]) => unknown>;
  const originals = METHODS.map((m) => [m, target[m]] as const);
  for (const [m, real] of originals) {
    target[m] = (...args: unknown[]) => {
      counts[m]++;
      return real.apply(engine, args);
    };
  }
  return {
    counts,
    restore: () => {
      for (const [m, real] of originals) target[m] = real;
    },
  };
}

const SEED = 'LtxE0f0RWNx3hy7ISjUPWA==';

/** KMAC256 calls of the server in one V4 `exerciseServer` (its KDF derives only the keys it uses). */
const V4_KMAC_CALLS = 7;

/** Exchange, personalized payload with proximity check, device code, verification, non-personalized payload. */
async function exerciseServer(
  server: Awaited<ReturnType<typeof makeServer>>['server'],
  version: 3 | 4,
): Promise<void> {
  const app = await createApp(server);
  const device = await activateDevice(server, app, version);
  const created = await server.offline.createPersonalized(version, {
    activationId: device.activationId,
    data: paymentData(),
    proximityCheck: { seed: SEED, stepLength: 30 },
  });
  const payload = device.readPayload(created.offlineData);
  const code = device.computeCode(payload);
  const outcome = await server.offline.verifyOutcome(
    version,
    device.verifyRequest(payload, code, { proximityCheck: { seed: SEED, stepLength: 30, stepCount: 1 } }),
  );
  expect(outcome.valid).toBe(true);
  const plain = await server.offline.createNonPersonalized(version, {
    applicationId: app,
    data: paymentData(),
  });
  expect(device.payloadVerifies(plain.offlineData)).toBe(true);
}

describe.each(storageFactories.filter((f) => f.name === 'pglite'))(
  'crypto backend of the server on $name',
  (factory) => {
    let opened: OpenedStorage;
    let wasmSpy: ReturnType<typeof spyOnSingleton>;
    let nobleSpy: ReturnType<typeof spyOnSingleton>;

    beforeAll(async () => {
      opened = await factory.open();
      wasmSpy = spyOnSingleton(getWasmCrypto());
      nobleSpy = spyOnSingleton(getNobleCrypto());
    });
    afterAll(async () => {
      wasmSpy?.restore();
      nobleSpy?.restore();
      await opened?.cleanup();
    });

    it.each([3, 4] as const)(
      'V%i: exchange, payload creation and verification hash and MAC only on the given engine',
      async (version) => {
        const { engine, counts } = countingEngine(createWasmCrypto());
        const before = { wasm: total(wasmSpy.counts), noble: total(nobleSpy.counts) };
        const { server } = await makeServer(opened.storage, {}, { crypto: engine });
        await exerciseServer(server, version);

        expect(counts.searchOfflineCode).toBe(1);
        expect(counts.sha256).toBeGreaterThanOrEqual(2); // registry: data and body digests
        expect(counts.hmacSha256).toBeGreaterThanOrEqual(3); // TOTP line, TOTP candidates, audit code digest
        if (version === 4)
          // only the keys used: exchange 1 (activation secret), create 2 (KDK util, MAC key) + 1 (PA4MAC-QR),
          // verify 3 (KDK auth, possession, knowledge; no biometry requested)
          expect(counts.kmac256).toBe(V4_KMAC_CALLS);
        else expect(counts.kmac256).toBe(0);
        expect(total(wasmSpy.counts) - before.wasm, 'process-wide wasm engine').toBe(0);
        expect(total(nobleSpy.counts) - before.noble, 'process-wide noble engine').toBe(0);
      },
    );

    it('a server configured for noble derives V4 keys and verifies on noble, never on wasm', async () => {
      const before = { wasm: total(wasmSpy.counts), noble: { ...nobleSpy.counts } };
      const { server } = await makeServer(opened.storage, { OFFCODE_CRYPTO_BACKEND: 'noble' });
      expect((await server.system.status()).cryptoBackend).toBe('noble');
      await exerciseServer(server, 4);
      expect(total(wasmSpy.counts) - before.wasm, 'process-wide wasm engine').toBe(0);
      expect(nobleSpy.counts.kmac256 - before.noble.kmac256).toBe(V4_KMAC_CALLS);
      expect(nobleSpy.counts.searchOfflineCode - before.noble.searchOfflineCode).toBe(1);
    });
  },
);
