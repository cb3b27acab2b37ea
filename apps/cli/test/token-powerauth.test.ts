/**
 * `offcode token activate | approve | status --remote | remove` through PowerAuth 3.3 (client.md §5.2) against
 * the test server: the real @offcode/fastify plugin (its /pa/v3 device routes) on a real Fastify over PGlite.
 * The V3 default is PowerAuth: the requests the server received prove which routes the CLI used. The binary
 * (child process) runs `token remove --pin-stdin` once. PostgreSQL and the bank's REST side:
 * apps/api/test/e2e-powerauth.test.ts.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APP,
  issuePayload,
  newActivationCode,
  useServer,
  verifyOnServer,
} from '@offcode/test-harness/server';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, expectFailure, expectOk, offcodeAsync } from './helpers.js';

const h = useServer();
const dir = mkdtempSync(join(tmpdir(), 'offcode-cli-pa-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** What a PowerAuth mobile SDK app has compiled in, read as the bank's back end reads it. */
async function sdkValues() {
  const detail = await h.server.applications.detail({ applicationId: APP });
  const version = detail.versions.find((v) => v.supported)!;
  return {
    appKey: version.applicationKey,
    appSecret: version.applicationSecret,
    masterKey: detail.masterPublicKeys.EC_P256!,
    sdkConfig: version.mobileSdkConfig,
  };
}

async function activate(extra: string[] = [], code?: { activationId: string; activationCode: string }) {
  const { activationId, activationCode } = code ?? (await newActivationCode(h));
  const v = await sdkValues();
  const state = join(dir, `s${n++}.json`);
  const before = h.requests.length;
  const r = await cli([
    ...['token', 'activate', '--server', h.url, '--code', activationCode, '--pin', '1234', '--state', state],
    ...['--app-key', v.appKey, '--app-secret', v.appSecret, '--master-key', v.masterKey],
    ...extra,
  ]);
  return { r, state, activationId, activationCode, paths: h.requests.slice(before).map((q) => q.path) };
}

describe('offcode token through PowerAuth (the V3 default)', () => {
  it('activate uses /pa/v3 only and prints ACTIVE; approve gives a code the server accepts', async () => {
    const { r, state, activationId, paths } = await activate(['--application', APP]);
    expectOk(r);
    expect(JSON.parse(r.stdout)).toMatchObject({
      activationId,
      protocol: 3,
      mechanism: 'powerauth',
      activationStatus: 'ACTIVE',
      applicationId: APP,
      biometry: true,
    });
    expect(paths).toEqual(['/pa/v3/keystore/create', '/pa/v3/activation/create', '/pa/v3/activation/status']);
    const op = await issuePayload(h, { protocol: 3, activationId, biometry: true });
    const a = await cli(['token', 'approve', '--state', state, '--pin', '1234'], { input: op.offlineData });
    expectOk(a);
    expect(await verifyOnServer(h, 3, activationId, op, a.stdout.trim())).toMatchObject({ valid: true });
    const op2 = await issuePayload(h, { protocol: 3, activationId, biometry: true });
    const b = await cli(['token', 'approve', '--state', state, '--biometry'], { input: op2.offlineData });
    expect(
      await verifyOnServer(h, 3, activationId, op2, b.stdout.trim(), { allowBiometry: true }),
    ).toMatchObject({ valid: true, type: 'POSSESSION_BIOMETRY' });
  });

  it('activate --sdk-config (the string from the application detail) enrols the same way: ACTIVE, a code the server accepts', async () => {
    const { activationId, activationCode } = await newActivationCode(h);
    const v = await sdkValues();
    expect(v.sdkConfig).toEqual(expect.any(String));
    const state = join(dir, `s${n++}.json`);
    const before = h.requests.length;
    const r = await cli([
      ...['token', 'activate', '--server', h.url, '--code', activationCode, '--pin', '1234'],
      ...['--state', state, '--sdk-config', v.sdkConfig!],
    ]);
    expectOk(r);
    expect(JSON.parse(r.stdout)).toMatchObject({
      activationId,
      protocol: 3,
      mechanism: 'powerauth',
      activationStatus: 'ACTIVE',
      applicationId: v.appKey,
    });
    expect(h.requests.slice(before).map((q) => q.path)).toEqual([
      '/pa/v3/keystore/create',
      '/pa/v3/activation/create',
      '/pa/v3/activation/status',
    ]);
    expect((await h.server.activations.status({ activationId })).activationStatus).toBe('ACTIVE');
    const op = await issuePayload(h, { protocol: 3, activationId });
    const a = await cli(['token', 'approve', '--state', state, '--pin', '1234'], { input: op.offlineData });
    expectOk(a);
    expect(await verifyOnServer(h, 3, activationId, op, a.stdout.trim())).toMatchObject({ valid: true });
  });

  it('status --remote reads /pa/v3/activation/status: blocked on the server shows BLOCKED, a restored backup resyncs', async () => {
    const { state, activationId } = await activate();
    const backup = `${state}.bak`;
    copyFileSync(state, backup);
    for (let i = 0; i < 2; i++) {
      const op = await issuePayload(h, { protocol: 3, activationId });
      const a = await cli(['token', 'approve', '--state', state, '--pin', '1234'], { input: op.offlineData });
      expect((await verifyOnServer(h, 3, activationId, op, a.stdout.trim())).valid).toBe(true);
    }
    copyFileSync(backup, state);
    const before = h.requests.length;
    const synced = await cli(['token', 'status', '--state', state, '--remote']);
    expectOk(synced);
    expect(h.requests.slice(before).map((q) => q.path)).toEqual(['/pa/v3/activation/status']);
    expect(JSON.parse(synced.stdout)).toMatchObject({
      counter: 2,
      powerAuth: { counterSync: 'resynchronized', counterSteps: 2 },
    });
    await h.server.activations.block({ activationId, reason: 'STOLEN' });
    const blocked = await cli(['token', 'status', '--state', state, '--remote']);
    expect(JSON.parse(blocked.stdout).activationStatus).toBe('BLOCKED');
    expect(JSON.parse(readFileSync(state, 'utf8')).activationStatus).toBe('BLOCKED');
  });

  it('a wrong PIN on remove: the server refuses (exit 1 REMOVE_FAILED), the state stays; the right PIN removes', async () => {
    const { state, activationId } = await activate();
    const wrong = await cli(['token', 'remove', '--state', state, '--pin', '9999']);
    expectFailure(wrong, 1, 'REMOVE_FAILED');
    expect(existsSync(state)).toBe(true);
    expect((await h.server.activations.status({ activationId })).activationStatus).toBe('ACTIVE');
    const removed = await cli(['token', 'remove', '--state', state], { answers: ['1234'] });
    expectOk(removed);
    expect(removed.prompts).toEqual(['PIN: ']);
    expect(JSON.parse(removed.stdout)).toMatchObject({ activationId, activationStatus: 'REMOVED' });
    expect(existsSync(state)).toBe(false);
    expect((await h.server.activations.status({ activationId })).activationStatus).toBe('REMOVED');
  });

  it('the binary: token remove --pin-stdin signs /pa/v3/activation/remove and deletes the state file', async () => {
    const { state, activationId } = await activate();
    const r = await offcodeAsync(['token', 'remove', '--state', state, '--pin-stdin'], { input: '1234\n' });
    expectOk(r);
    expect(JSON.parse(r.stdout).activationStatus).toBe('REMOVED');
    expect(existsSync(state)).toBe(false);
    expect((await h.server.activations.status({ activationId })).activationStatus).toBe('REMOVED');
  });

  it('a used activation code → exit 1 ACTIVATION_FAILED naming the server code, no state file', async () => {
    const first = await activate();
    expectOk(first.r);
    const again = await activate([], first);
    expect(expectFailure(again.r, 1, 'ACTIVATION_FAILED')).toMatch(/\(ERR_ACTIVATION\)/);
    expect(existsSync(again.state)).toBe(false);
  });
});
