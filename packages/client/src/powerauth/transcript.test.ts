/**
 * The token reproduces the recorded PowerAuth SDK 1.9.2 session byte for byte from the recorded randomness
 * (activation.md decision 9, client side): keystore/create, activation/create (both ECIES layers), status
 * (blob decrypted, counter check), the offline code, status again, and the signed activation/remove.
 */
import { signOfflinePayload } from '@offcode/protocol';
import { describe, expect, it } from 'vitest';
import { backends, hex, TEST_SUITE, toB64, toHex } from '../../test/helpers.js';
import {
  activateInput,
  activationRandomness,
  CREATE,
  createStep,
  deviceClock,
  keystoreStep,
  queuedRandom,
  type ReplayStep,
  removeStep,
  replayServer,
  STEPS,
  statusStep,
  T,
} from '../../test/powerauth-transcript.js';
import { parseState } from '../state.js';
import { MemoryTokenStore } from '../stores/memory.js';
import { OffcodeToken } from '../token.js';

const challenge = (s: { challengeBase64: string }) =>
  new Uint8Array(Buffer.from(s.challengeBase64, 'base64'));
const STATUS3 = challenge(STEPS['3_activationStatus']);
const STATUS5 = challenge(STEPS['5_activationStatusAfterOfflineSignature']);
const REMOVE_NONCE = new Uint8Array(Buffer.from(STEPS['6_activationRemove'].nonceBase64, 'base64'));

/** The QR payload of step 4: the transcript's nonce and data, signed with the application master key. */
function offlinePayload(): string {
  const step = STEPS['4_offlineSignature'];
  const [operationId, operationData] = step.dataUtf8.split('&') as [string, string];
  const signedData = `${operationId}\nPayment\nPlease confirm\n${operationData}\n\n${step.nonceBase64}\n0`;
  return signOfflinePayload(TEST_SUITE, {
    signedData,
    keyType: 0,
    protocol: 3,
    privateKey: hex(T.application.masterServerKeyPair.privateKeyHex),
  });
}

function setup(engine: (typeof backends)[number], steps: ReplayStep[], random: Uint8Array[]) {
  const server = replayServer(steps);
  const rng = queuedRandom(random);
  const store = new MemoryTokenStore();
  // The device clock is 7 minutes behind the server: ECIES timestamps follow the keystore answer's iat_ms.
  const token = new OffcodeToken({
    store,
    fetch: server.fetch,
    random: rng,
    crypto: engine,
    now: deviceClock(-7 * 60_000),
  });
  return { token, store, server, rng };
}

async function stored(store: MemoryTokenStore) {
  return parseState((await store.read()) as string);
}

describe.each(backends.map((engine) => ({ engine, name: engine.backend })))(
  'transcript on $name',
  ({ engine }) => {
    it('activate: keystore/create and activation/create byte-identical to the SDK, then the step-3 status', async () => {
      const steps = [keystoreStep(), createStep(), statusStep('3_activationStatus')];
      const { token, store, server, rng } = setup(engine, steps, [...activationRandomness(), STATUS3]);
      const status = await token.activate(activateInput());
      expect(server.seen.map((r) => r.body)).toEqual(steps.map((s) => s.requestBody));
      expect(server.left()).toBe(0);
      expect(rng.left()).toBe(0);
      expect(status).toMatchObject({
        activationId: T.secrets.activationId,
        protocol: 3,
        activationStatus: 'ACTIVE',
        mechanism: 'powerauth',
        counter: 0,
        componentLength: 8,
        applicationId: T.application.applicationKey,
        powerAuth: { counterSync: 'in-sync', counterSteps: 0, failedAttempts: 0, maxFailedAttempts: 5 },
      });
      const s = await stored(store);
      const d = T.secrets.derivedKeys;
      expect(toB64(s.ctrData)).toBe(T.secrets.ctrDataBase64);
      expect(toHex(s.possessionKey)).toBe(d.KEY_SIGNATURE_POSSESSION);
      expect(toHex(s.powerAuth!.transportKey)).toBe(d.KEY_TRANSPORT);
      expect(toB64(s.serverPublicKey)).toBe(T.secrets.serverKeyPair.publicKeyUncompressedBase64);
      expect(s.powerAuth).toMatchObject({
        applicationKey: T.application.applicationKey,
        applicationSecret: T.application.applicationSecret,
      });
      expect(s.statusCheckedAt).not.toBeNull();
    });

    it('the step-4 code, the step-5 status in sync, the step-6 remove header; the state is deleted', async () => {
      const steps = [
        keystoreStep(),
        createStep(),
        statusStep('3_activationStatus'),
        statusStep('5_activationStatusAfterOfflineSignature'),
        removeStep(),
      ];
      const random = [...activationRandomness(), STATUS3, STATUS5, REMOVE_NONCE];
      const { token, store, server, rng } = setup(engine, steps, random);
      await token.activate(activateInput());
      const approval = await token.approve(offlinePayload(), { pin: '1234' });
      expect(approval.code).toBe(STEPS['4_offlineSignature'].signature);
      const after = await token.status({ remote: true });
      expect(after).toMatchObject({ counter: 1, powerAuth: { counterSync: 'in-sync', counterSteps: 0 } });
      const removed = await token.remove({ pin: '1234' });
      expect(removed).toMatchObject({ activationStatus: 'REMOVED', counter: 2 });
      expect(server.seen.at(-1)?.headers['x-powerauth-authorization']).toBe(
        STEPS['6_activationRemove'].headerValue,
      );
      expect(server.seen.map((r) => r.body)).toEqual(steps.map((s) => s.requestBody));
      expect(server.left()).toBe(0);
      expect(rng.left()).toBe(0);
      expect(await store.read()).toBeNull();
    });

    it('the server ahead: without the approval, the step-5 status moves the counter 1 step; the remove header is step 6', async () => {
      const steps = [
        keystoreStep(),
        createStep(),
        statusStep('3_activationStatus'),
        statusStep('5_activationStatusAfterOfflineSignature'),
        removeStep(),
      ];
      const random = [...activationRandomness(), STATUS3, STATUS5, REMOVE_NONCE];
      const { token, store, server } = setup(engine, steps, random);
      await token.activate(activateInput());
      const synced = await token.status({ remote: true });
      expect(synced).toMatchObject({
        counter: 1,
        powerAuth: { counterSync: 'resynchronized', counterSteps: 1 },
      });
      expect(toB64((await stored(store)).ctrData)).toBe(STEPS['6_activationRemove'].ctrDataBase64);
      await token.remove({ pin: '1234' });
      expect(server.seen.at(-1)?.headers['x-powerauth-authorization']).toBe(
        STEPS['6_activationRemove'].headerValue,
      );
    });

    it('the device ahead: two codes, then the step-5 status (server at 1) → device-ahead, counters kept', async () => {
      const steps = [
        keystoreStep(),
        createStep(),
        statusStep('3_activationStatus'),
        statusStep('5_activationStatusAfterOfflineSignature'),
      ];
      const { token, store } = setup(engine, steps, [...activationRandomness(), STATUS3, STATUS5]);
      await token.activate(activateInput());
      await token.approve(offlinePayload(), { pin: '1234' });
      await token.approve(offlinePayload(), { pin: '1234' });
      const before = toB64((await stored(store)).ctrData);
      const st = await token.status({ remote: true });
      expect(st).toMatchObject({ counter: 2, powerAuth: { counterSync: 'device-ahead', counterSteps: 0 } });
      expect(toB64((await stored(store)).ctrData)).toBe(before);
    });

    it('ECIES timestamps follow the server clock of the keystore answer, whatever the device clock says', async () => {
      const steps = [keystoreStep(), createStep(), statusStep('3_activationStatus')];
      const server = replayServer(steps);
      const token = new OffcodeToken({
        store: new MemoryTokenStore(),
        fetch: server.fetch,
        random: queuedRandom([...activationRandomness(), STATUS3]),
        crypto: engine,
        now: deviceClock(3 * 3_600_000),
      });
      await token.activate(activateInput());
      const outer = JSON.parse(server.seen[1]!.body) as { timestamp: number };
      expect(outer.timestamp).toBe(CREATE.layer1Ecies.input.requestTimestamp);
      expect(server.seen[1]!.body).toBe(CREATE.requestBody);
    });
  },
);
