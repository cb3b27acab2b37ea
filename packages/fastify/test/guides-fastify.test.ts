/**
 * docs/guides/fastify-plugin.md (and the base URL of docs/guides/powerauth-mobile-sdk.md):
 * examples/guides/fastify-bank.mjs runs as its own process (real socket, real HTTP) on PGlite and on
 * PostgreSQL. The mobile-app values come from the mounted REST application/detail (HTTP Basic); the simulated
 * V4 token of tools/sim-token enrols through the mounted device-facing exchange; the bank's own routes commit,
 * create a payment and verify the code typed in 4-digit groups. Every bad input is a 400 naming the field; a
 * malformed typed code costs no attempt; the PowerAuth device API answers under /offcode/pa/v3 without
 * credentials; SIGTERM stops the process cleanly; no secret reaches its output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { encodeBase64, normalizedDataForPayload, parseOfflinePayloadOrThrow } from '@offcode/protocol';
import { parseMobileSdkConfig } from '@offcode/protocol/pa3';
import { SimulatedDevice } from '@offcode/sim-token';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pa3Device } from './powerauth-device.js';

const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pkgDir = new URL('..', import.meta.url);
const EXAMPLE = 'examples/guides/fastify-bank.mjs';
const PAIR = { token: 'bank-backend', secret: `s3cret-${randomBytes(6).toString('hex')}` };
const BASIC = `Basic ${Buffer.from(`${PAIR.token}:${PAIR.secret}`).toString('base64')}`;

async function admin(sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return Number((await client.query(sql)).rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** The example as a bank runs it: its own process, settings in the environment, the port from its output. */
function startExample(env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [EXAMPLE], {
    cwd: pkgDir,
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in 90 s:\n${output}`)), 90_000);
    child.stdout?.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then(() => reject(new Error(`exited before listening:\n${output}`)));
  });
  return { url, exited, output: () => output, stop: () => child.kill('SIGTERM') };
}

async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of the example
  return { status: res.status, json: (await res.json()) as any };
}

describe.each(['pglite', 'postgresql'] as const)('guide: Fastify bank with the plugin on %s', (kind) => {
  const schema = `oc_guide_${randomBytes(5).toString('hex')}`;
  let app: ReturnType<typeof startExample>;
  let base = '';
  const masterKey = randomBytes(32).toString('base64');
  const secrets: string[] = [];

  beforeAll(async () => {
    expect(existsSync(new URL('dist/index.js', pkgDir)), 'build the package first').toBe(true);
    let env: Record<string, string> = { OFFCODE_DATA_DIR: 'memory://' };
    if (kind === 'postgresql') {
      await admin(`CREATE SCHEMA ${schema}`);
      const url = new URL(DATABASE_URL);
      url.searchParams.set('options', `-c search_path=${schema}`);
      env = { DATABASE_URL: url.toString(), OFFCODE_MASTER_KEY: masterKey };
    }
    app = startExample({
      ...env,
      OFFCODE_TEMP_BLOCK_SWEEP_MS: '0',
      BANK_APPLICATION: 'guide-bank',
      BANK_OFFCODE_CREDENTIALS: `${PAIR.token}:${PAIR.secret}`,
    });
    base = await app.url;
  }, 120_000);

  afterAll(async () => {
    app?.stop();
    await app?.exited;
    if (kind === 'postgresql') await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it('mobile values over REST, a token enrolled by the device route, the typed code verified, 400s', async () => {
    const detailRequest = { requestObject: { applicationId: 'guide-bank' } };
    expect((await post(base, '/offcode/rest/v3/application/detail', detailRequest)).json).toMatchObject({
      status: 'ERROR',
      responseObject: { code: 'OFF-0001' },
    });
    const detail = (
      await post(base, '/offcode/rest/v3/application/detail', detailRequest, { authorization: BASIC })
    ).json.responseObject;
    expect(detail.versions[0]).toMatchObject({ supported: true, mobileSdkConfig: expect.any(String) });
    expect(decodeLength(detail.masterPublicKey)).toBe(65);
    secrets.push(detail.versions[0].applicationSecret);

    const enrol = await post(base, '/bank/enrol', { userId: 'bob' });
    expect(enrol.json.activationQr.startsWith(`${enrol.json.activationCode}#`)).toBe(true);
    const device = new SimulatedDevice(4);
    const exchanged = await post(base, '/offcode/rest/offcode/activation/exchange', {
      requestObject: device.exchangeRequest(enrol.json.activationCode),
    });
    expect(exchanged.json.responseObject.activationStatus).toBe('PENDING_COMMIT');
    device.complete(exchanged.json.responseObject);
    const activationId = device.activationId;
    expect((await post(base, '/bank/enrol/commit', { activationId })).json).toEqual({
      activationId,
      activationStatus: 'ACTIVE',
    });

    const payment = { activationId, amount: '250.00', currency: 'EUR', iban: 'CZ2730300000001165254011' };
    const first = (await post(base, '/bank/payments', payment)).json;
    const code = device.computeCode(device.readPayload(first.qr)); // "12345678-12345678"
    const typed = code.replace('-', '').replace(/(\d{4})(?=\d)/g, '$1-'); // "1234-5678-1234-5678"
    expect(typed).toMatch(/^\d{4}-\d{4}-\d{4}-\d{4}$/);
    expect(
      (await post(base, '/bank/payments/confirm', { paymentId: first.paymentId, code: typed })).json,
    ).toEqual({
      approved: true,
      activationStatus: 'ACTIVE',
      remainingAttempts: 5,
    });

    const second = (await post(base, '/bank/payments', payment)).json;
    expect(
      await post(base, '/bank/payments/confirm', { paymentId: second.paymentId, code: '12 34' }),
    ).toEqual({
      status: 400,
      json: { code: 'ERR0024', field: 'typedCode', message: expect.stringContaining('enter 16 digits') },
    });
    const wrong = await post(base, '/bank/payments/confirm', {
      paymentId: second.paymentId,
      code: '1111 2222 3333 4444',
    });
    expect(wrong.json).toEqual({ approved: false, activationStatus: 'ACTIVE', remainingAttempts: 4 });
    const bad = [
      [await post(base, '/bank/enrol', {}), 'ERR0024', 'userId'],
      [await post(base, '/bank/enrol', '{"userId":'), 'BAD_REQUEST', 'body'],
      [await post(base, '/bank/payments', { ...payment, activationId: 'nope' }), 'ERR0024', 'activationId'],
      [await post(base, '/bank/payments', { ...payment, amount: 250 }), 'INVALID_AMOUNT', null],
      [
        await post(base, '/bank/payments/confirm', { paymentId: 'x', code: '1' }),
        'UNKNOWN_PAYMENT',
        'paymentId',
      ],
    ] as const;
    for (const [res, errorCode, field] of bad) {
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ code: errorCode, field });
    }

    const tooLarge = await post(base, '/bank/enrol', JSON.stringify({ userId: 'x'.repeat(1_100_000) }));
    expect(tooLarge).toEqual({
      status: 400,
      json: expect.objectContaining({ code: 'BAD_REQUEST', field: 'body' }),
    });

    // Four more wrong codes block the activation; then even the right code is refused, with no retry left.
    const confirm = (c: string) =>
      post(base, '/bank/payments/confirm', { paymentId: second.paymentId, code: c });
    let last: unknown;
    for (let i = 0; i < 4; i++) last = (await confirm('1111 2222 3333 4444')).json;
    const blocked = { approved: false, activationStatus: 'BLOCKED', remainingAttempts: 0 };
    expect(last).toEqual(blocked);
    expect((await confirm(device.computeCode(device.readPayload(second.qr)))).json).toEqual(blocked);

    // The PowerAuth device API under the SDK's base URL /offcode, device-facing (no credentials).
    expect(await post(base, '/offcode/pa/v3/keystore/create', '{}')).toEqual({
      status: 400,
      json: { status: 'ERROR', responseObject: expect.objectContaining({ code: 'ERR_TEMPORARY_KEY' }) },
    });
    expect(await post(base, '/offcode/pa/v3/token/create', '{}')).toMatchObject({
      status: 404,
      json: { status: 'ERROR', responseObject: { code: 'ERROR_NOT_FOUND' } },
    });

    if (kind === 'postgresql') {
      expect(await admin(`SELECT count(*) AS n FROM ${schema}.oc_activation`)).toBeGreaterThanOrEqual(1);
    }
  }, 120_000);

  it('a PowerAuth 3.3 device configured as docs/guides/powerauth-mobile-sdk.md says enrols under /offcode', async () => {
    // The SDK's configuration: base URL = origin + the plugin's prefix; the configuration string from detail
    // (SDK 1.8+), which must carry the same key, secret and master key as the three separate values.
    const sdkBase = `${base}/offcode`;
    const detailRequest = { requestObject: { applicationId: 'guide-bank' } };
    const detail = (
      await post(base, '/offcode/rest/v3/application/detail', detailRequest, { authorization: BASIC })
    ).json.responseObject;
    const version = detail.versions.find((v: { supported: boolean }) => v.supported);
    const sdkConfig = parseMobileSdkConfig(version.mobileSdkConfig);
    const configured = {
      applicationKey: encodeBase64(sdkConfig.applicationKey),
      applicationSecret: encodeBase64(sdkConfig.applicationSecret),
      masterPublicKey: encodeBase64(sdkConfig.keys.get(1)!),
    };
    expect(configured).toEqual({
      applicationKey: version.applicationKey,
      applicationSecret: version.applicationSecret,
      masterPublicKey: detail.masterPublicKey,
    });
    const device = new Pa3Device(configured);
    const enrol = (await post(base, '/bank/enrol', { userId: 'carol' })).json;
    const keystore = await post(
      sdkBase,
      '/pa/v3/keystore/create',
      Buffer.from(device.keystoreRequest().body).toString(),
    );
    expect(keystore.status).toBe(200);
    const code = enrol.activationQr.split('#')[0]; // the SDK sends the code without the signature
    const created = device.activationCreate(device.temporaryKey(keystore.json), code, {
      timestamp: Date.now(),
    });
    const answer = await post(sdkBase, '/pa/v3/activation/create', Buffer.from(created.body).toString(), {
      'X-PowerAuth-Encryption': created.headers!.encryption!,
    });
    expect(answer.status).toBe(200);
    expect(device.completeActivation(answer.json, created.envelopes).activationId).toBe(enrol.activationId);
    const activationId = device.activationId;
    expect((await post(base, '/bank/enrol/commit', { activationId })).json.activationStatus).toBe('ACTIVE');

    const status = device.statusRequest();
    const blob = device.readStatus(
      (await post(sdkBase, '/pa/v3/activation/status', Buffer.from(status.call.body).toString())).json,
      status.challenge,
    );
    expect([blob.status, blob.maxFailedAttempts, blob.ctrLookAhead]).toEqual(['ACTIVE', 5, 20]);

    const payment = { activationId, amount: '19.90', currency: 'EUR', iban: 'CZ2730300000001165254011' };
    const { paymentId, qr } = (await post(base, '/bank/payments', payment)).json;
    const offline = device.suite.engine.computeAuthCode({
      protocol: 3,
      keys: [device.keys!.possession, device.keys!.knowledge],
      counter: device.ctrData,
      data: normalizedDataForPayload(parseOfflinePayloadOrThrow(qr)),
    });
    device.ctrData = device.suite.engine.nextCounter(3, device.ctrData);
    const typed = offline.replace('-', ' '); // "12345678 12345678"
    expect((await post(base, '/bank/payments/confirm', { paymentId, code: typed })).json).toEqual({
      approved: true,
      activationStatus: 'ACTIVE',
      remainingAttempts: 5,
    });

    const remove = device.removeRequest();
    const removed = await post(sdkBase, '/pa/v3/activation/remove', Buffer.from(remove.body).toString(), {
      'X-PowerAuth-Authorization': remove.headers!.authorization!,
    });
    expect(removed.status).toBe(200);
    expect((await post(base, '/bank/payments', payment)).json).toMatchObject({ code: 'ERR0008' });
  }, 120_000);

  it('stops on SIGTERM with exit code 0 and never prints a secret', async () => {
    app.stop();
    expect(await app.exited).toBe(0);
    expect(app.output()).toContain('stopped');
    for (const s of [PAIR.secret, masterKey, ...secrets]) expect(app.output()).not.toContain(s);
  }, 60_000);
});

function decodeLength(b64: string): number {
  return Buffer.from(b64, 'base64').length;
}

describe('docs/guides/fastify-plugin.md', () => {
  it('shows only code copied verbatim from the example', () => {
    const guide = readFileSync(new URL('../../docs/guides/fastify-plugin.md', pkgDir), 'utf8');
    const example = readFileSync(new URL(EXAMPLE, pkgDir), 'utf8');
    const blocks = [...guide.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const block of blocks) expect(example).toContain(block);
  });
});

describe('a bad setting', () => {
  it('stops the example before it starts: exit 2, one line naming the variable', async () => {
    const app = startExample({ OFFCODE_DATA_DIR: 'memory://', OFFCODE_LOOKAHEAD: '0' });
    app.url.catch(() => undefined);
    expect(await app.exited).toBe(2);
    const lines = app.output().trim().split('\n');
    expect(lines.filter((l) => l.includes('OFFCODE_LOOKAHEAD'))).toHaveLength(1);
    expect(app.output()).not.toContain('listening');
  }, 60_000);
});
