/**
 * One process per PGlite data directory (issue 10 item 2): the directory is held with a lock file for the
 * storage's lifetime; a second opener (another process, or this one) fails with one clear line; a lock left
 * by a process killed with SIGKILL is taken over at the next start, with the data intact.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPgliteStorage, PGLITE_LOCK_FILE, pgliteDirectory } from './pglite.js';
import { StorageError } from './types.js';

const SERVER_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const inUse = (dir: string, pid: number) =>
  `PGlite data directory ${dir} is in use by process ${pid}; one process per embedded directory (use PostgreSQL via DATABASE_URL for more)`;

let dir: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'offcode-pglite-lock-')), 'pgdata');
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  rmSync(dirname(dir), { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<StorageError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(StorageError);
  return e as StorageError;
}

describe('PGlite data directory lock (in this process)', () => {
  it('is held inside the directory from open to close; a second open fails with one line', async () => {
    const first = await openPgliteStorage({ dataDir: dir });
    expect(readFileSync(join(dir, PGLITE_LOCK_FILE), 'utf8')).toMatch(new RegExp(`^${process.pid} `));
    const e = await failure(openPgliteStorage({ dataDir: dir, lockTimeoutMs: 50 }));
    expect([e.code, e.kind, e.reason]).toEqual(['STORAGE_UNAVAILABLE', 'unavailable', 'unavailable']);
    expect(e.message).toBe(inUse(dir, process.pid));
    expect(await first.query('SELECT 1 AS one')).toMatchObject({ rows: [{ one: 1 }] }); // unaffected
    await first.close();
    expect(existsSync(join(dir, PGLITE_LOCK_FILE))).toBe(false);
    const again = await openPgliteStorage({ dataDir: `file://${dir}` });
    await again.close();
  });

  it('a lock left by a process that no longer exists is taken over', async () => {
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.once('exit', r));
    mkdirSync(dir);
    writeFileSync(
      join(dir, PGLITE_LOCK_FILE),
      `${dead.pid} ${'5a'.repeat(16)} 2026-01-01T00:00:00.000Z ${hostname()}\n`,
    );
    const storage = await openPgliteStorage({ dataDir: dir });
    expect(readFileSync(join(dir, PGLITE_LOCK_FILE), 'utf8')).toMatch(new RegExp(`^${process.pid} `));
    await storage.close();
  });

  it('a missing parent directory is one clear error; memory:// takes no lock', async () => {
    const deep = join(dir, 'no', 'such');
    const e = await failure(openPgliteStorage({ dataDir: deep }));
    expect(e.message).toBe(`PGlite data directory ${deep} cannot be created (ENOENT)`);
    const memory = await openPgliteStorage({ dataDir: 'memory://' });
    await memory.close();
    expect(readdirSync(dirname(dir))).toEqual([]);
  });

  it('reads dataDir the way PGlite does', () => {
    expect(pgliteDirectory('memory://')).toBeNull();
    expect(pgliteDirectory('memory://named')).toBeNull();
    expect(pgliteDirectory('idb://x')).toBeNull();
    expect(pgliteDirectory('')).toBeNull();
    expect(pgliteDirectory('file:///var/db')).toBe('/var/db');
    expect(pgliteDirectory('./.offcode/pgdata')).toBe('./.offcode/pgdata');
  });
});

/**
 * A server process on the directory: migrations, then (first run) an application, an activation and a
 * simulated V4 device saved to DEVICE; then one offline payload + code + verification. Prints
 * "ready <applications> <verification>" and answers every stdin line "verify" with another verification.
 * Any failure to open: its message on stderr, exit 3.
 */
const SERVER_PROCESS = `
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import * as p from '@offcode/protocol';
import { createOffcodeServer, loadConfig, openStorage } from '@offcode/server';

const [dataDir, deviceFile, masterKey] = process.argv.slice(1);
const { config, errors } = loadConfig({ OFFCODE_DATA_DIR: dataDir, OFFCODE_MASTER_KEY: masterKey });
if (errors.length > 0) throw new Error(errors.join('; '));
let storage;
try {
  storage = await openStorage(config);
} catch (e) {
  process.stderr.write(e.message + '\\n');
  process.exit(3);
}
const server = await createOffcodeServer({ config, storage });
const suite = p.createCryptoSuite({ engine: 'auto', impl: 'auto' });
const b64 = (u) => p.encodeBase64(u);
const raw = (s) => p.decodeBase64Strict(s);
if (!existsSync(deviceFile)) {
  await server.applications.create({ applicationId: 'my-bank', commitOnKeyExchange: true });
  const init = await server.activations.init({ userId: 'alice', applicationId: 'my-bank' });
  const kp = p.generateKeyPair(suite, 'P-384');
  const answer = await server.activations.exchange({
    activationCode: init.activationCode, protocolVersion: 4, devicePublicKey: b64(kp.publicKey),
  });
  const keys = p.deriveKeysV4(suite, p.deriveActivationSecretV4(suite, kp.privateKey, raw(answer.serverPublicKey)));
  writeFileSync(deviceFile, JSON.stringify({
    activationId: init.activationId, possession: b64(keys.possession), knowledge: b64(keys.knowledge),
    counter: answer.ctrData,
  }));
}
async function verify() {
  const device = JSON.parse(readFileSync(deviceFile, 'utf8'));
  const data = p.buildPayloadData({
    operationId: randomUUID(), title: 'Payment', message: 'Pay 1.00 EUR',
    operationData: p.paymentOperationData({ amount: '1.00', currency: 'EUR', iban: 'CZ2730300000001165254011' }),
    flags: {},
  });
  const { offlineData } = await server.offline.createPersonalized(4, { activationId: device.activationId, data });
  const payload = p.parseOfflinePayloadOrThrow(offlineData);
  const counter = raw(device.counter);
  const code = suite.engine.computeAuthCode({
    protocol: 4, keys: [raw(device.possession), raw(device.knowledge)], counter,
    data: p.normalizedDataForPayload(payload),
  });
  writeFileSync(deviceFile, JSON.stringify({ ...device, counter: b64(suite.engine.nextCounter(4, counter)) }));
  const r = await server.offline.verify(4, {
    activationId: device.activationId, data: p.verifyRequestDataForPayload(payload), authenticationCode: code,
  });
  return r.authenticationValid + '/' + r.activationStatus;
}
const apps = (await server.applications.list()).applications.map((a) => a.applicationId).join(',');
process.stdout.write('ready ' + apps + ' ' + (await verify()) + '\\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'verify') process.stdout.write('verified ' + (await verify()) + '\\n');
  if (line === 'close') break;
}
process.stdin.destroy(); // the parent keeps its end open
await server.close();
await storage.close();
`;

interface ServerProcess {
  child: ChildProcess;
  /** Next stdout line (resolves null when the process exits first). */
  nextLine(): Promise<string | null>;
  send(line: string): void;
  exit: Promise<{ code: number | null; stderr: string }>;
}

function serverProcess(deviceFile: string, masterKey: string): ServerProcess {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', SERVER_PROCESS, dir, deviceFile, masterKey],
    {
      cwd: SERVER_DIR,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let out = '';
  let err = '';
  const waiters: ((line: string | null) => void)[] = [];
  const lines: string[] = [];
  const flush = () => {
    while (waiters.length > 0 && lines.length > 0) waiters.shift()!(lines.shift()!);
  };
  child.stdout!.on('data', (c: Buffer) => {
    out += c;
    const parts = out.split('\n');
    out = parts.pop()!;
    lines.push(...parts);
    flush();
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c;
  });
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('close', (code) => {
      for (const w of waiters.splice(0)) w(null);
      resolve({ code, stderr: err });
    }),
  );
  return {
    child,
    nextLine: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null && lines.length === 0) resolve(null);
        waiters.push(resolve);
        flush();
      }),
    send: (line) => child.stdin!.write(`${line}\n`),
    exit,
  };
}

describe('PGlite data directory: two real processes', () => {
  it('the second process fails with the one line, the first keeps working; after kill -9 the next start recovers', async () => {
    const device = join(dirname(dir), 'device.json');
    const masterKey = randomBytes(32).toString('base64');
    const first = serverProcess(device, masterKey);
    expect(await first.nextLine(), 'the first process is ready').toBe('ready my-bank true/ACTIVE');

    const second = serverProcess(device, masterKey);
    const refused = await second.exit;
    expect(refused).toEqual({ code: 3, stderr: `${inUse(dir, first.child.pid!)}\n` });

    first.send('verify');
    expect(await first.nextLine()).toBe('verified true/ACTIVE');

    first.child.kill('SIGKILL');
    await first.exit;
    expect(readFileSync(join(dir, PGLITE_LOCK_FILE), 'utf8')).toMatch(new RegExp(`^${first.child.pid} `));

    const restarted = serverProcess(device, masterKey);
    const ready = await restarted.nextLine();
    expect(ready, 'the restarted process is ready').toBe('ready my-bank true/ACTIVE');
    restarted.send('close');
    expect((await restarted.exit).code).toBe(0);
    expect(existsSync(join(dir, PGLITE_LOCK_FILE))).toBe(false);
  });
});
