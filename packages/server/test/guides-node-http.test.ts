/**
 * docs/guides/in-process.md and docs/guides/powerauth-mobile-sdk.md: examples/guides/node-http-bank.mjs runs
 * as its own process (real socket, real HTTP) on PGlite and on PostgreSQL. A PowerAuth 3.3 device in the
 * Android SDK's wire form (test/pa3-device.ts, built on @offcode/protocol only) enrols with the values of the
 * bank's mobile configuration and the QR `CODE#signature`; the bank commits, creates a payment, and the code
 * typed with spaces verifies. Every bad input is a 400 naming the field; a malformed typed code costs no
 * attempt; the device removes itself; SIGTERM stops the process cleanly; no secret reaches its output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import {
  decodeBase64Strict,
  normalizedDataForPayload,
  parseOfflinePayloadOrThrow,
  utf8Encode,
  verifyEcdsaDer,
} from '@offcode/protocol';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_SUITE } from './device.js';
import { Pa3Device } from './pa3-device.js';
import { TEST_DATABASE_URL } from './storages.js';

const pkgDir = new URL('..', import.meta.url);
const EXAMPLE = 'examples/guides/node-http-bank.mjs';

async function admin(sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
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

async function call(base: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const raw =
    body instanceof Uint8Array ? Buffer.from(body) : typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: raw }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of the example
  return { status: res.status, json: (await res.json()) as any };
}

/** The offline code the token shows for a payload (V3: possession + knowledge), its counter then moves on. */
function offlineCode(device: Pa3Device, qr: string): string {
  const keys = device.keys!;
  const code = DEVICE_SUITE.engine.computeAuthCode({
    protocol: 3,
    keys: [keys.possession, keys.knowledge],
    counter: device.ctrData,
    data: normalizedDataForPayload(parseOfflinePayloadOrThrow(qr)),
  });
  device.ctrData = DEVICE_SUITE.engine.nextCounter(3, device.ctrData);
  return code;
}

describe.each(['pglite', 'postgresql'] as const)('guide: node:http bank on %s', (kind) => {
  const schema = `oc_guide_${randomBytes(5).toString('hex')}`;
  let app: ReturnType<typeof startExample>;
  let base = '';
  const masterKey = randomBytes(32).toString('base64');

  beforeAll(async () => {
    expect(existsSync(new URL('dist/index.js', pkgDir)), 'build the package first').toBe(true);
    let env: Record<string, string> = { OFFCODE_DATA_DIR: 'memory://' };
    if (kind === 'postgresql') {
      await admin(`CREATE SCHEMA ${schema}`);
      const url = new URL(TEST_DATABASE_URL);
      url.searchParams.set('options', `-c search_path=${schema}`);
      env = { DATABASE_URL: url.toString(), OFFCODE_MASTER_KEY: masterKey };
    }
    app = startExample({ ...env, OFFCODE_TEMP_BLOCK_SWEEP_MS: '0', BANK_APPLICATION: 'guide-bank' });
    base = await app.url;
  }, 120_000);

  afterAll(async () => {
    app?.stop();
    await app?.exited;
    if (kind === 'postgresql') await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it('enrols a PowerAuth device, commits, verifies the typed code, refuses bad input with 400s, removes', async () => {
    const config = (await call(base, '/bank/mobile-config')).json;
    const device = new Pa3Device({
      applicationKey: config.applicationKey,
      applicationSecret: config.applicationSecret,
      masterPublicKey: config.masterServerPublicKey,
    });

    const enrol = await call(base, '/bank/enrol', { userId: 'alice' });
    expect(enrol.status).toBe(200);
    const [code, signature] = enrol.json.activationQr.split('#');
    expect(code).toBe(enrol.json.activationCode);
    // What the SDK checks before it sends anything: the QR signature under the configured master key.
    const master = decodeBase64Strict(config.masterServerPublicKey);
    expect(
      verifyEcdsaDer(DEVICE_SUITE, 'P-256', master, utf8Encode(code), decodeBase64Strict(signature)),
    ).toBe(true);

    const keystore = await call(base, '/pa/v3/keystore/create', device.keystoreRequest().body);
    expect(keystore.status).toBe(200);
    const created = device.activationCreate(device.temporaryKey(keystore.json), code!, {
      timestamp: Date.now(),
    });
    const answer = await call(base, '/pa/v3/activation/create', created.body, {
      'X-PowerAuth-Encryption': created.headers!.encryption!,
    });
    expect(answer.status).toBe(200);
    expect(device.completeActivation(answer.json, created.envelopes).activationId).toBe(
      enrol.json.activationId,
    );

    const readStatus = async () => {
      const { call: req, challenge } = device.statusRequest();
      return device.readStatus((await call(base, '/pa/v3/activation/status', req.body)).json, challenge);
    };
    expect((await readStatus()).status).toBe('PENDING_COMMIT');
    const activationId = device.activationId;
    expect((await call(base, '/bank/enrol/commit', { activationId })).json).toEqual({
      activationId,
      activationStatus: 'ACTIVE',
    });
    expect((await readStatus()).status).toBe('ACTIVE');

    const payment = { activationId, amount: '100.00', currency: 'EUR', iban: 'CZ2730300000001165254011' };
    const first = (await call(base, '/bank/payments', payment)).json;
    const typed = offlineCode(device, first.qr)
      .replace('-', '')
      .replace(/(\d{4})(?=\d)/g, '$1 ');
    expect(typed).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect(
      (await call(base, '/bank/payments/confirm', { paymentId: first.paymentId, code: ` ${typed} ` })).json,
    ).toEqual({ approved: true, activationStatus: 'ACTIVE', remainingAttempts: 5 });

    // Input errors: 400 with the field, whatever class raised them.
    const second = (await call(base, '/bank/payments', payment)).json;
    const malformed = await call(base, '/bank/payments/confirm', {
      paymentId: second.paymentId,
      code: '1234 5678',
    });
    expect(malformed).toEqual({
      status: 400,
      json: { code: 'ERR0024', field: 'typedCode', message: expect.stringContaining('enter 16 digits') },
    });
    // ...and cost no attempt: the next wrong code leaves 4 of 5.
    const wrong = await call(base, '/bank/payments/confirm', {
      paymentId: second.paymentId,
      code: '1111 2222 3333 4444',
    });
    expect(wrong.json).toEqual({ approved: false, activationStatus: 'ACTIVE', remainingAttempts: 4 });
    const bad = [
      [await call(base, '/bank/enrol', {}), 'ERR0024', 'userId'],
      [await call(base, '/bank/enrol', '{"userId":'), 'BAD_JSON', 'body'],
      [await call(base, '/bank/payments', { ...payment, activationId: 'nope' }), 'ERR0024', 'activationId'],
      [await call(base, '/bank/payments', { ...payment, amount: 100 }), 'INVALID_AMOUNT', null],
      [
        await call(base, '/bank/payments/confirm', { paymentId: 'x', code: '1' }),
        'UNKNOWN_PAYMENT',
        'paymentId',
      ],
      [await call(base, '/bank/enrol/commit', { activationId: 'nope' }), 'ERR0024', 'activationId'],
    ] as const;
    for (const [res, errorCode, field] of bad) {
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ code: errorCode, field });
    }
    const tooLarge = await call(base, '/bank/enrol', JSON.stringify({ userId: 'x'.repeat(70_000) }));
    expect(tooLarge).toEqual({
      status: 400,
      json: expect.objectContaining({ code: 'BODY_TOO_LARGE', field: 'body' }),
    });
    // The device-facing routes answer in PowerAuth's envelope.
    expect(await call(base, '/pa/v3/keystore/create', '{}')).toEqual({
      status: 400,
      json: { status: 'ERROR', responseObject: expect.objectContaining({ code: 'ERR_TEMPORARY_KEY' }) },
    });
    expect((await call(base, '/pa/v3/token/create', '{}')).status).toBe(404);

    // The device removes itself with a signed request; the bank can no longer create payments for it.
    const remove = device.removeRequest();
    expect(
      (
        await call(base, '/pa/v3/activation/remove', remove.body, {
          'X-PowerAuth-Authorization': remove.headers!.authorization!,
        })
      ).status,
    ).toBe(200);
    expect((await call(base, '/bank/payments', payment)).json).toMatchObject({ code: 'ERR0008' });

    if (kind === 'postgresql') {
      // The example really used PostgreSQL, in the schema of its DATABASE_URL.
      expect(await admin(`SELECT count(*) AS n FROM ${schema}.oc_activation`)).toBe(1);
    }
  }, 120_000);

  it('stops on SIGTERM with exit code 0 and never prints the application secret', async () => {
    const secret = (await call(base, '/bank/mobile-config')).json.applicationSecret as string;
    app.stop();
    expect(await app.exited).toBe(0);
    expect(app.output()).toContain('stopped');
    for (const s of [secret, masterKey]) expect(app.output()).not.toContain(s);
  }, 60_000);
});

describe('docs/guides/in-process.md', () => {
  it('shows only code copied verbatim from the example', () => {
    const guide = readFileSync(new URL('../../docs/guides/in-process.md', pkgDir), 'utf8');
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
