import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedDevice } from '../test/device.js';
import { paymentData, TEST_MASTER_KEY, TestClock, uniqueName } from '../test/harness.js';
import { type OpenedStorage, storageFactories } from '../test/storages.js';
import { loadConfig } from './config.js';
import { OffcodeError } from './errors.js';
import { createOffcodeServer } from './server.js';
import { SERVER_VERSION } from './version.js';

const OTHER_KEY = 'ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=';

describe.each(storageFactories)('server start-up and keys at rest on $name', (factory) => {
  let opened: OpenedStorage;
  const clock = new TestClock();
  const start = (env: Record<string, string>) =>
    createOffcodeServer({
      config: loadConfig({ OFFCODE_CRYPTO_BACKEND: 'noble', ...env }).config,
      storage: opened.storage,
      clock: clock.now,
    });

  beforeAll(async () => {
    opened = await factory.open();
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  it('runs in plaintext mode without a key, then encrypts new rows once a key is configured', async () => {
    const plain = await start({});
    expect((await plain.system.status({})).encryptionAtRest).toBe(false);
    const oldApp = uniqueName('plain');
    await plain.applications.create({ applicationId: oldApp });
    const init = await plain.activations.init({ userId: 'u', applicationId: oldApp });
    const device = new SimulatedDevice(3);
    device.complete(await plain.activations.exchange(device.exchangeRequest(init.activationCode)));
    await plain.activations.commit({ activationId: init.activationId });
    const plainRows = await opened.storage.query<{ key_encryption: number }>(
      'SELECT key_encryption FROM oc_activation WHERE activation_id = $1',
      [init.activationId],
    );
    expect(Number(plainRows.rows[0]!.key_encryption)).toBe(0);

    const keyed = await start({ OFFCODE_MASTER_KEY: TEST_MASTER_KEY });
    expect((await keyed.system.status({})).encryptionAtRest).toBe(true);
    // Old plaintext rows stay readable: the old activation still signs payloads and verifies codes.
    const created = await keyed.offline.createPersonalized(3, {
      activationId: init.activationId,
      data: paymentData(),
    });
    const payload = device.readPayload(created.offlineData);
    const result = await keyed.offline.verifyOutcome(
      3,
      device.verifyRequest(payload, device.computeCode(payload)),
    );
    expect(result.valid).toBe(true);
    const newApp = uniqueName('sealed');
    await keyed.applications.create({ applicationId: newApp });
    const sealed = await opened.storage.query<{ e: number }>(
      `SELECT private_key_encryption AS e FROM oc_master_keypair k JOIN oc_application a ON a.id = k.application_id WHERE a.name = $1`,
      [newApp],
    );
    expect(sealed.rows.map((r) => Number(r.e))).toEqual([1, 1]);
  });

  it('refuses to start without a key when encrypted rows exist (ERR0020) or with a key that cannot read them', async () => {
    await expect(start({})).rejects.toMatchObject({ code: 'ERR0020' });
    const wrong = await start({ OFFCODE_MASTER_KEY: OTHER_KEY }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(OffcodeError);
    expect((wrong as OffcodeError).code).toBe('ERR0021');
    expect((wrong as OffcodeError).message).toMatch(/key id [0-9a-f]{8}/);
    // Rotation: the new key with the old one as previous starts and reads everything.
    const rotated = await start({
      OFFCODE_MASTER_KEY: OTHER_KEY,
      OFFCODE_MASTER_KEY_PREVIOUS: TEST_MASTER_KEY,
    });
    const app = uniqueName('rotated');
    await rotated.applications.create({ applicationId: app });
    expect((await rotated.activations.init({ userId: 'u', applicationId: app })).activationCode).toMatch(/-/);
  });

  it('reports status and health', async () => {
    const server = await start({
      OFFCODE_MASTER_KEY: OTHER_KEY,
      OFFCODE_MASTER_KEY_PREVIOUS: TEST_MASTER_KEY,
      OFFCODE_ENVIRONMENT: 'ci',
    });
    const status = await server.system.status();
    expect(status).toEqual({
      status: 'OK',
      applicationName: 'offcode',
      applicationDisplayName: 'Offcode Server',
      applicationEnvironment: 'ci',
      version: SERVER_VERSION,
      buildTime: null,
      timestamp: new Date(clock.t).toISOString(),
      protocolVersions: [3, 4],
      database: factory.name,
      cryptoBackend: 'noble',
      encryptionAtRest: true,
      payloadRegistry: 'enforce',
    });
    await expect(server.system.health()).resolves.toBeUndefined();
  });
});
