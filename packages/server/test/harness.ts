/** One storage per suite, any number of servers (configurations) on it, a movable clock, helpers. */
import { randomBytes } from 'node:crypto';
import { getWasmCrypto, type OffcodeCrypto, type OfflineCodeSearch } from '@offcode/crypto-wasm';
import { buildPayloadData, paymentOperationData } from '@offcode/protocol';
import { type ConfigInput, loadConfig, type OffcodeConfig } from '../src/config.js';
import type { ServerHooks } from '../src/context.js';
import { OffcodeError } from '../src/errors.js';
import { createOffcodeServer, type OffcodeServer } from '../src/server.js';
import type { Storage } from '../src/storage/types.js';
import { type DeviceFactor, SimulatedDevice } from './device.js';

export const TEST_MASTER_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

export class TestClock {
  t = Date.UTC(2025, 4, 1, 10, 0, 0);
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export function testConfig(env: ConfigInput = {}): OffcodeConfig {
  const { config, errors } = loadConfig({
    OFFCODE_MASTER_KEY: TEST_MASTER_KEY,
    OFFCODE_CRYPTO_BACKEND: 'wasm',
    ...env,
  });
  if (errors.length) throw new Error(errors.join('\n'));
  return config;
}

export async function makeServer(
  storage: Storage,
  env: ConfigInput = {},
  options: { clock?: TestClock; hooks?: ServerHooks; crypto?: OffcodeCrypto } = {},
): Promise<{ server: OffcodeServer; clock: TestClock }> {
  const clock = options.clock ?? new TestClock();
  const server = await createOffcodeServer({
    config: testConfig(env),
    storage,
    clock: clock.now,
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.crypto ? { crypto: options.crypto } : {}),
  });
  return { server, clock };
}

export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(5).toString('hex')}`;

export async function createApp(server: OffcodeServer, extra: Record<string, unknown> = {}): Promise<string> {
  const name = uniqueName('app');
  await server.applications.create({ applicationId: name, ...extra });
  return name;
}

/** init → exchange (device) → commit; returns the active device. */
export async function activateDevice(
  server: OffcodeServer,
  applicationId: string,
  protocol: 3 | 4,
  options: { userId?: string; enableBiometry?: boolean; maxFailureCount?: number; compressed?: boolean } = {},
): Promise<SimulatedDevice> {
  const init = await server.activations.init({
    userId: options.userId ?? uniqueName('user'),
    applicationId,
    ...(options.maxFailureCount ? { maxFailureCount: options.maxFailureCount } : {}),
  });
  const device = new SimulatedDevice(protocol);
  const answer = await server.activations.exchange(
    device.exchangeRequest(
      init.activationCode,
      options.enableBiometry === false ? { enableBiometry: false } : {},
      options.compressed,
    ),
  );
  device.complete(answer);
  if (answer.activationStatus === 'PENDING_COMMIT')
    await server.activations.commit({ activationId: answer.activationId });
  return device;
}

let operationCounter = 0;

/** A payment data block (five lines) with a fresh operation id; `flags` e.g. 'B' to allow biometry. */
export function paymentData(flags = ''): string {
  operationCounter++;
  return buildPayloadData({
    operationId: `op-${operationCounter}-${randomBytes(4).toString('hex')}`,
    title: 'Payment',
    message: `Pay ${operationCounter}.00 EUR`,
    operationData: paymentOperationData({
      amount: `${operationCounter}.00`,
      currency: 'EUR',
      iban: 'CZ2730300000001165254011',
    }),
    flags: flags.includes('B') ? { biometricsAllowed: true } : {},
  });
}

export type { DeviceFactor };

/** The wasm engine with every searchOfflineCode call recorded (inputs copied). */
export function spyEngine(): { engine: OffcodeCrypto; calls: OfflineCodeSearch[] } {
  const real = getWasmCrypto();
  const calls: OfflineCodeSearch[] = [];
  const engine: OffcodeCrypto = Object.create(real);
  engine.searchOfflineCode = (input) => {
    calls.push({
      ...input,
      factors: input.factors.map((f) => ({ type: f.type, key: Uint8Array.from(f.key) })),
      data: (Array.isArray(input.data) ? input.data : [input.data]).map((d) =>
        Uint8Array.from(d as Uint8Array),
      ),
    });
    return real.searchOfflineCode(input);
  };
  return { engine, calls };
}

/** The code of the OffcodeError a call rejects with, or 'OK' when it resolves (anything else rethrown). */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof OffcodeError) return e.code;
    throw e;
  }
  return 'OK';
}
