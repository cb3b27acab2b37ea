/**
 * The phase timer of a verification (server.md §3.5 "Phase timings"): nothing is measured without a
 * subscriber; with one, every completed verification publishes its phases (valid, invalid, inactive,
 * unknown activation), the phases add up to the total, and the message carries durations only.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activateDevice, createApp, makeServer, paymentData } from '../../../test/harness.js';
import { type OpenedStorage, storageFactories } from '../../../test/storages.js';
import type { OffcodeServer } from '../../server.js';
import { startPhaseClock, VERIFY_PHASES, VERIFY_PHASES_CHANNEL, type VerifyPhaseTimes } from './phases.js';

describe('startPhaseClock', () => {
  it('is null while nobody subscribes, a clock while someone does', () => {
    expect(startPhaseClock()).toBeNull();
    const listener = (): void => undefined;
    subscribe(VERIFY_PHASES_CHANNEL, listener);
    try {
      expect(startPhaseClock()).not.toBeNull();
    } finally {
      unsubscribe(VERIFY_PHASES_CHANNEL, listener);
    }
    expect(startPhaseClock()).toBeNull();
  });

  it('adds the time since the previous mark to the phase named', () => {
    const messages: VerifyPhaseTimes[] = [];
    const listener = (m: unknown): void => {
      messages.push(m as VerifyPhaseTimes);
    };
    subscribe(VERIFY_PHASES_CHANNEL, listener);
    try {
      const clock = startPhaseClock()!;
      const spin = (ms: number): void => {
        const end = performance.now() + ms;
        while (performance.now() < end);
      };
      spin(2);
      clock.mark('parse');
      spin(1);
      clock.mark('lock');
      spin(1);
      clock.mark('lock');
      clock.publish(3, 'valid');
    } finally {
      unsubscribe(VERIFY_PHASES_CHANNEL, listener);
    }
    expect(messages).toHaveLength(1);
    const m = messages[0]!;
    expect(m.parse).toBeGreaterThanOrEqual(2);
    expect(m.lock).toBeGreaterThanOrEqual(2);
    expect(m.keys + m.search + m.writes + m.commit).toBe(0);
    expect(m.total).toBeCloseTo(m.parse + m.lock, 6);
  });
});

describe.each(storageFactories)('verify phases on $name', (factory) => {
  let opened: OpenedStorage;
  let server: OffcodeServer;
  let app: string;
  const messages: VerifyPhaseTimes[] = [];
  const listener = (m: unknown): void => {
    messages.push(m as VerifyPhaseTimes);
  };

  beforeAll(async () => {
    opened = await factory.open();
    ({ server } = await makeServer(opened.storage, { OFFCODE_PAYLOAD_REGISTRY: 'enforce' }));
    app = await createApp(server);
  });
  afterAll(async () => {
    await opened?.cleanup();
  });
  afterEach(() => {
    unsubscribe(VERIFY_PHASES_CHANNEL, listener);
    messages.length = 0;
  });

  it.each([3, 4] as const)(
    'V%i: valid, invalid, inactive and unknown each publish one message',
    async (version) => {
      const device = await activateDevice(server, app, version);
      const request = async (wrong: boolean) => {
        const created = await server.offline.createPersonalized(version, {
          activationId: device.activationId,
          data: paymentData(),
        });
        const payload = device.readPayload(created.offlineData);
        return device.verifyRequest(payload, wrong ? '00000000-00000000' : device.computeCode(payload));
      };
      const good = await request(false);
      const bad = await request(true);
      // Not subscribed yet: nothing is published.
      expect((await server.offline.verifyOutcome(version, good)).valid).toBe(true);
      expect(messages).toHaveLength(0);

      subscribe(VERIFY_PHASES_CHANNEL, listener);
      const next = await request(false);
      expect((await server.offline.verifyOutcome(version, next)).valid).toBe(true);
      expect((await server.offline.verifyOutcome(version, bad)).result).toBe('invalid');
      const later = await request(false);
      await server.activations.block({ activationId: device.activationId });
      expect((await server.offline.verifyOutcome(version, later)).result).toBe('inactive');
      const unknown = { ...next, activationId: '00000000-0000-4000-8000-000000000000' };
      expect((await server.offline.verifyOutcome(version, unknown)).result).toBe('unknown_activation');

      expect(messages.map((m) => m.result)).toEqual(['valid', 'invalid', 'inactive', 'unknown_activation']);
      for (const m of messages) {
        expect(m.protocolVersion).toBe(version);
        // durations only: the phases, the total, the version and the outcome kind
        expect(Object.keys(m).sort()).toEqual(
          [...VERIFY_PHASES, 'protocolVersion', 'result', 'total'].sort(),
        );
        const sum = VERIFY_PHASES.reduce((s, p) => s + m[p], 0);
        expect(m.total).toBeCloseTo(sum, 6);
        for (const p of ['parse', 'lock', 'commit'] as const) expect(m[p]).toBeGreaterThan(0);
      }
      const [valid, invalid, inactive, unknownActivation] = messages;
      for (const m of [valid!, invalid!]) {
        expect(m.keys).toBeGreaterThan(0);
        expect(m.search).toBeGreaterThan(0);
        expect(m.writes).toBeGreaterThan(0);
      }
      expect(inactive!.keys + inactive!.search).toBe(0);
      expect(inactive!.writes).toBeGreaterThan(0);
      expect(unknownActivation!.keys + unknownActivation!.search + unknownActivation!.writes).toBe(0);
    },
  );
});
