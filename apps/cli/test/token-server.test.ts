/**
 * `offcode token activate | approve | status` with the plain exchange, in-process (`main()`) against a real
 * @offcode/server (PGlite in memory) behind the real @offcode/fastify routes (tools/test-harness); the kill
 * test runs the built binary. The PowerAuth path: token-powerauth.test.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
import { CLI, cli, expectFailure, expectOk } from './helpers.js';

const h = useServer({ credentials: 'ops:hunter22' });
const dir = mkdtempSync(join(tmpdir(), 'offcode-cli-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/**
 * `offcode token activate` with the plain exchange against the test server with PIN 1234 (no protocol: the
 * default 3). The PowerAuth path runs against the real API in apps/api/test/e2e-powerauth.test.ts.
 */
const activateArgs = (state: string, activationCode: string): string[] => [
  'token',
  'activate',
  '--server',
  h.url,
  '--application',
  APP,
  '--code',
  activationCode,
  '--pin',
  '1234',
  '--state',
  state,
  '--mechanism',
  'plain',
];

async function activate(protocol: 3 | 4, extra: string[] = []) {
  const { activationCode } = await newActivationCode(h);
  const state = join(dir, `s${n++}.json`);
  const args = activateArgs(state, activationCode);
  const r = await cli([...args, '--protocol', String(protocol), ...extra]);
  return { r, state, activationCode, args };
}

describe.each([3, 4] as const)('offcode token against the server, protocol %i', (protocol) => {
  it('activate prints the status JSON; approve prints a code the server accepts', async () => {
    const { r, state } = await activate(protocol);
    expectOk(r);
    const st = JSON.parse(r.stdout);
    expect(st).toMatchObject({
      protocol,
      activationStatus: 'ACTIVE',
      applicationId: APP,
      serverUrl: h.url,
      counter: 0,
      biometry: true,
    });
    expect(r.stdout).toBe(JSON.stringify(st, null, 2) + '\n');
    const op = await issuePayload(h, { protocol, activationId: st.activationId, biometry: true });
    const a = await cli(['token', 'approve', '--state', state, '--pin', '1234'], {
      input: `${op.offlineData}\n`,
    });
    expectOk(a);
    expect(a.stdout).toMatch(/^\d{8}-\d{8}\n$/);
    expect((await verifyOnServer(h, protocol, st.activationId, op, a.stdout.trim())).valid).toBe(true);
    // Biometry on a non-personalized payload.
    const np = await issuePayload(h, { protocol, biometry: true });
    const b = await cli(['token', 'approve', '--state', state, '--biometry'], {
      input: np.offlineData,
    });
    expectOk(b);
    expect(
      await verifyOnServer(h, protocol, st.activationId, np, b.stdout.trim(), { allowBiometry: true }),
    ).toMatchObject({
      valid: true,
      type: 'POSSESSION_BIOMETRY',
    });
    const s = await cli(['token', 'status', '--state', state]);
    expectOk(s);
    expect(JSON.parse(s.stdout).counter).toBe(2);
  });

  it('a wrong PIN prints a code (exit 0) that the server rejects as a failed attempt', async () => {
    const { r, state } = await activate(protocol);
    const { activationId } = JSON.parse(r.stdout);
    const op = await issuePayload(h, { protocol, activationId });
    const a = await cli(['token', 'approve', '--state', state, '--pin', '4321'], {
      input: op.offlineData,
    });
    expectOk(a);
    expect(await verifyOnServer(h, protocol, activationId, op, a.stdout.trim())).toMatchObject({
      valid: false,
      remainingAttempts: 4,
    });
  });
});

describe('offcode token activate: failures', () => {
  it('existing state file → exit 1 ALREADY_ACTIVATED', async () => {
    const { state } = await activate(3);
    const { activationCode } = await newActivationCode(h);
    const r = await cli(activateArgs(state, activationCode));
    expectFailure(r, 1, 'ALREADY_ACTIVATED');
  });

  it('a used activation code → exit 1 ACTIVATION_FAILED naming the server code', async () => {
    const first = await activate(3);
    expectOk(first.r);
    const again = first.args.map((a) => (a === first.state ? join(dir, 'again.json') : a));
    const line = expectFailure(await cli(again), 1, 'ACTIVATION_FAILED');
    expect(line).toMatch(/ERR0008/);
    expect(existsSync(join(dir, 'again.json'))).toBe(false);
  });

  it('a pinned master key that does not match → exit 1; the right one → exit 0', async () => {
    const detail = await h.server.applications.detail({ applicationId: APP });
    expectOk((await activate(4, ['--master-key', detail.masterPublicKeys.EC_P384!])).r);
    expectFailure(
      (await activate(3, ['--master-key', detail.masterPublicKeys.EC_P384!])).r,
      2,
      'INVALID_INPUT',
    );
    const { r } = await activate(3, [
      '--master-key',
      'BGoJOebdNAUiJAsiVDwJ3sma6PlWRx68r2dB5hc/G5sZiXrBtjeqX4aNZTSoN9ITgO0QK8G58vXdQtMFvknPoQ8=',
    ]);
    expectFailure(r, 1, 'ACTIVATION_FAILED');
  });

  it('invalid input → exit 2 before any network call; unreachable server → exit 1 NETWORK_ERROR', async () => {
    const state = join(dir, 'never.json');
    const base = [
      ...['token', 'activate', '--application', APP, '--pin', '1234', '--state', state],
      ...['--mechanism', 'plain'],
    ];
    const before = h.requests.length;
    expectFailure(
      await cli([...base, '--server', h.url, '--code', 'AAAAA-AAAAA-AAAAA-AAAAB']),
      2,
      'INVALID_INPUT',
    );
    expectFailure(
      await cli([...base, '--server', 'ftp://x', '--code', (await newActivationCode(h)).activationCode]),
      2,
      'INVALID_INPUT',
    );
    expectFailure(
      await cli([
        ...base,
        '--server',
        h.url,
        '--code',
        (await newActivationCode(h)).activationCode,
        '--protocol',
        '5',
      ]),
      2,
      'INVALID_INPUT',
    );
    expect(h.requests.length).toBe(before);
    expectFailure(
      await cli([
        ...base,
        '--server',
        'http://127.0.0.1:9',
        '--code',
        (await newActivationCode(h)).activationCode,
      ]),
      1,
      'NETWORK_ERROR',
    );
    expect(existsSync(state)).toBe(false);
  });
});

describe('offcode token status --remote', () => {
  it('refreshes with the first OFFCODE_INTEGRATION_CREDENTIALS pair and persists the result', async () => {
    const { r, state } = await activate(4);
    const { activationId } = JSON.parse(r.stdout);
    expectFailure(await cli(['token', 'status', '--state', state, '--remote']), 1, 'NETWORK_ERROR');
    const env = { OFFCODE_INTEGRATION_CREDENTIALS: 'ops:hunter22,other:pair' };
    const ok = await cli(['token', 'status', '--state', state, '--remote'], { env });
    expectOk(ok);
    expect(JSON.parse(ok.stdout)).toMatchObject({ activationStatus: 'ACTIVE' });
    expect(JSON.parse(ok.stdout).statusCheckedAt).not.toBeNull();
    await h.server.activations.block({ activationId, reason: 'STOLEN' });
    const blocked = await cli(['token', 'status', '--state', state, '--remote'], { env });
    expect(JSON.parse(blocked.stdout)).toMatchObject({
      activationStatus: 'BLOCKED',
      blockedReason: 'STOLEN',
    });
    expect(JSON.parse(readFileSync(state, 'utf8')).activationStatus).toBe('BLOCKED');
  });
});

describe('counter safety with the server: the CLI killed between persisting and printing', () => {
  it('the next run prints the next counter value and the server still accepts it', async () => {
    const { r, state } = await activate(3);
    const { activationId } = JSON.parse(r.stdout);
    const op = await issuePayload(h, { protocol: 3, activationId });
    const child = spawn(process.execPath, [CLI, 'token', 'approve', '--state', state, '--pin', '1234'], {
      env: { ...process.env, OFFCODE_DEBUG_HOLD_AFTER_PERSIST: '1' },
    });
    let stdout = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stdin.end(op.offlineData);
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (c: Buffer) => (c.toString().includes('persisted') ? resolve() : undefined));
      child.once('exit', () => reject(new Error('offcode exited before persisting')));
    });
    child.kill('SIGKILL');
    await new Promise((res) => child.once('exit', res));
    expect(stdout).toBe('');
    expect(JSON.parse(readFileSync(state, 'utf8')).counter).toBe(1);
    const again = await cli(['token', 'approve', '--state', state, '--pin', '1234'], {
      input: op.offlineData,
    });
    expectOk(again);
    expect(await verifyOnServer(h, 3, activationId, op, again.stdout.trim())).toMatchObject({ valid: true });
    expect((await h.server.activations.status({ activationId })).counter).toBe(2);
  });
});
