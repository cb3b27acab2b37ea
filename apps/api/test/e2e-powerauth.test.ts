/**
 * PowerAuth 3.3 enrolment end to end over real HTTP (issue 14 item 5), against the real API (startTestApi:
 * the same Fastify app `npm start` runs, integration credentials on) on in-memory PGlite and on PostgreSQL.
 * The bank side is plain REST calls with HTTP Basic: application/create and /detail (key, secret, master key),
 * activation/init, offline payload create, verify, activation/status. The device side is the Offcode token
 * twice: the @offcode/client library and the `offcode` CLI run in-process through its `main(argv, io)`.
 * Each enrols through /pa/v3 (keystore + activation/create over ECIES), the server shows the activation
 * ACTIVE, the token approves an offline payment the server verifies, `status --remote` reads the encrypted
 * status blob (and resynchronises a counter restored from a backup), remove signs /pa/v3/activation/remove,
 * the server shows REMOVED and a code from a kept copy of the removed token's keys is refused. Devices racing
 * one activation code over HTTP: exactly one wins.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { MemoryTokenStore, OffcodeClientError, OffcodeToken } from '@offcode/client';
import { FileTokenStore } from '@offcode/client/node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActivateLine } from '../src/cli-line.js';
import type { RunningApi } from '../src/start.js';
import {
  type AnyJson,
  API_ROOT,
  createTestDatabase,
  issuePayload,
  offlinePaths,
  ok,
  rest,
  startTestApi,
  UUID_RE,
} from './harness.js';

const CREDENTIALS = 'bank-app:s3cret';
const AUTH = { authorization: `Basic ${Buffer.from(CREDENTIALS).toString('base64')}` };
const PIN = '1234';

/** The CLI's in-process entry (apps/cli/src/main.ts), loaded by path: apps/api type-checks on its own. */
interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  promptSecret(prompt: string): Promise<string>;
  defaultStatePath(): string;
}
type CliMain = (argv: readonly string[], io: CliIo) => Promise<number>;
let cliMain: CliMain;

interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** `offcode …` in this process: its own stdin, an empty environment, no terminal. */
async function offcode(args: string[], input = ''): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await cliMain(args, {
    stdout: (s) => void out.push(s),
    stderr: (s) => void err.push(s),
    stdin: Readable.from(input === '' ? [] : [Buffer.from(input)]),
    env: {},
    promptSecret: () => Promise.reject(new Error('no terminal in this test')),
    defaultStatePath: () => {
      throw new Error('every command here names its --state');
    },
  });
  return { status, stdout: out.join(''), stderr: err.join('') };
}

/** Exit 0, nothing on stderr, the JSON it printed. */
function okJson(r: CliRun): AnyJson {
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

const dir = mkdtempSync(join(tmpdir(), 'offcode-e2e-pa-'));
let files = 0;
const stateFile = () => join(dir, `token-${files++}.json`);

beforeAll(async () => {
  const url = pathToFileURL(join(API_ROOT, '..', 'cli', 'src', 'main.ts')).href;
  cliMain = ((await import(url)) as { main: CliMain }).main;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Bank {
  base: string;
  call(path: string, requestObject?: unknown): Promise<AnyJson>;
  /** A new application: what a PowerAuth mobile SDK app is configured with. */
  application(commitOnKeyExchange: boolean): Promise<{
    applicationId: string;
    appKey: string;
    appSecret: string;
    masterKey: string;
  }>;
  init(applicationId: string): Promise<{ activationId: string; activationCode: string; signature: string }>;
  status(activationId: string): Promise<AnyJson>;
  /** Creates a personalized V3 payment payload, returns it and a verify function for a code. */
  payment(activationId: string): Promise<{ offlineData: string; verify(code: string): Promise<AnyJson> }>;
}

let appSeq = 0;

function bank(base: string): Bank {
  const call = (path: string, body?: unknown) => ok(base, path, body, AUTH);
  return {
    base,
    call,
    async application(commitOnKeyExchange) {
      const applicationId = `pa-e2e-${process.pid}-${appSeq++}`;
      await call('/rest/v3/application/create', { applicationId, commitOnKeyExchange });
      const detail = await call('/rest/v3/application/detail', { applicationId });
      expect(detail.commitOnKeyExchange).toBe(commitOnKeyExchange);
      const version = detail.versions.find((v: AnyJson) => v.supported);
      return {
        applicationId,
        appKey: version.applicationKey,
        appSecret: version.applicationSecret,
        masterKey: detail.masterPublicKeys.EC_P256,
      };
    },
    async init(applicationId) {
      const r = await call('/rest/v3/activation/init', { userId: `user-${appSeq++}`, applicationId });
      return {
        activationId: r.activationId,
        activationCode: r.activationCode,
        signature: r.activationSignatures.EC_P256,
      };
    },
    status: (activationId) => call('/rest/v3/activation/status', { activationId }),
    async payment(activationId) {
      const issued = await issuePayload(base, 3, { activationId }, { headers: AUTH });
      const paths = offlinePaths(3);
      return {
        offlineData: issued.offlineData,
        verify: (code) =>
          call(paths.verify, { activationId, data: issued.requestData, [paths.codeField]: code }),
      };
    },
  };
}

const STORAGES = [
  { name: 'PGlite', postgres: false },
  { name: 'PostgreSQL', postgres: true },
] as const;

describe.each(STORAGES)('PowerAuth enrolment end to end over HTTP on $name', ({ postgres }) => {
  let api: RunningApi;
  let db: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let b: Bank;

  beforeAll(async () => {
    db = postgres ? await createTestDatabase() : undefined;
    api = await startTestApi({
      OFFCODE_INTEGRATION_CREDENTIALS: CREDENTIALS,
      ...(db ? { DATABASE_URL: db.url } : {}),
    });
    b = bank(api.url);
    expect(api.storage.kind).toBe(postgres ? 'postgresql' : 'pglite');
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('the device API is device-facing: /pa/v3 needs no credentials, the integration API does', async () => {
    expect(
      (await rest(api.url, '/rest/v3/activation/init', { userId: 'u', applicationId: 'x' })).status,
    ).toBe(401);
    const keystore = await rest(api.url, '/pa/v3/keystore/create', {});
    expect(keystore.status).toBe(400);
    expect(keystore.body.status).toBe('ERROR');
  });

  it('library: enrol via /pa/v3 → ACTIVE, approve → valid, status --remote, remove → REMOVED, a kept copy fails', async () => {
    const app = await b.application(true);
    const { activationId, activationCode, signature } = await b.init(app.applicationId);
    const file = stateFile();
    const token = new OffcodeToken({ store: new FileTokenStore(file) });
    const enrolled = await token.activate({
      serverUrl: api.url,
      activationCode: `${activationCode}#${signature}`, // the QR form: the signature is checked first
      pin: PIN,
      applicationKey: app.appKey,
      applicationSecret: app.appSecret,
      masterPublicKey: app.masterKey,
      enableBiometry: true,
    });
    expect(enrolled).toMatchObject({ activationId, mechanism: 'powerauth', activationStatus: 'ACTIVE' });
    expect(enrolled.powerAuth?.counterSync).toBe('in-sync');
    expect(await b.status(activationId)).toMatchObject({ activationStatus: 'ACTIVE', protocol: 'powerauth' });

    const pay = await b.payment(activationId);
    const { code } = await token.approve(pay.offlineData, { pin: PIN });
    expect(await pay.verify(code)).toMatchObject({ signatureValid: true, activationStatus: 'ACTIVE' });
    const later = await b.payment(activationId);

    const remote = await token.status({ remote: true });
    expect(remote).toMatchObject({ activationStatus: 'ACTIVE', counter: 1 });
    expect(remote.powerAuth).toMatchObject({ counterSync: 'in-sync', failedAttempts: 0 });

    const kept = `${file}.kept`;
    copyFileSync(file, kept);
    expect((await token.remove({ pin: PIN })).activationStatus).toBe('REMOVED');
    expect((await b.status(activationId)).activationStatus).toBe('REMOVED');
    await expect(token.status()).rejects.toMatchObject({ code: 'NOT_ACTIVATED' });

    // The removed activation's keys, kept in a copy, still compute a code: the server refuses it.
    const ghost = new OffcodeToken({ store: new FileTokenStore(kept) });
    const again = await ghost.approve(later.offlineData, { pin: PIN });
    expect(again.code).toMatch(/^\d{8}-\d{8}$/);
    expect(await later.verify(again.code)).toMatchObject({
      signatureValid: false,
      activationStatus: 'REMOVED',
    });
  });

  it('CLI (main in-process): activate → ACTIVE, approve → valid, status --remote resyncs, remove → REMOVED', async () => {
    const app = await b.application(true);
    const { activationId, activationCode } = await b.init(app.applicationId);
    const state = stateFile();
    const enrolled = okJson(
      await offcode([
        ...[
          'token',
          'activate',
          '--server',
          api.url,
          '--code',
          activationCode,
          '--application',
          app.applicationId,
        ],
        ...['--app-key', app.appKey, '--app-secret', app.appSecret, '--master-key', app.masterKey],
        ...['--pin', PIN, '--state', state],
      ]),
    );
    expect(enrolled).toMatchObject({
      activationId,
      protocol: 3,
      mechanism: 'powerauth',
      activationStatus: 'ACTIVE',
    });
    expect(await b.status(activationId)).toMatchObject({ activationStatus: 'ACTIVE', protocol: 'powerauth' });

    const backup = `${state}.backup`;
    copyFileSync(state, backup);
    const pay = await b.payment(activationId);
    const approved = await offcode(
      ['token', 'approve', '--state', state, '--pin-stdin', '--qr', writeQr(pay.offlineData)],
      `${PIN}\n`,
    );
    expect(approved.stderr).toBe('');
    expect(approved.stdout).toMatch(/^\d{8}-\d{8}\n$/);
    expect(await pay.verify(approved.stdout.trim())).toMatchObject({ signatureValid: true });

    // The state restored from a backup is one counter step behind the server: --remote resynchronises it.
    copyFileSync(backup, state);
    const synced = okJson(await offcode(['token', 'status', '--state', state, '--remote']));
    expect(synced).toMatchObject({ activationStatus: 'ACTIVE', counter: 1 });
    expect(synced.powerAuth).toMatchObject({ counterSync: 'resynchronized', counterSteps: 1 });
    const next = await b.payment(activationId);
    const code = await offcode(['token', 'approve', '--state', state, '--pin', PIN], next.offlineData);
    expect(await next.verify(code.stdout.trim())).toMatchObject({ signatureValid: true });

    const kept = `${state}.kept`;
    copyFileSync(state, kept);
    const last = await b.payment(activationId);
    const removed = okJson(await offcode(['token', 'remove', '--state', state, '--pin-stdin'], `${PIN}\n`));
    expect(removed).toMatchObject({ activationId, activationStatus: 'REMOVED' });
    expect((await b.status(activationId)).activationStatus).toBe('REMOVED');
    const gone = await offcode(['token', 'status', '--state', state]);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(/^offcode: NOT_ACTIVATED: /);

    const ghost = await offcode(['token', 'approve', '--state', kept, '--pin', PIN], last.offlineData);
    expect(ghost.stdout).toMatch(/^\d{8}-\d{8}\n$/);
    expect(await last.verify(ghost.stdout.trim())).toMatchObject({
      signatureValid: false,
      activationStatus: 'REMOVED',
    });
    const removeAgain = await offcode(['token', 'remove', '--state', kept, '--pin', PIN]);
    expect(removeAgain.status).toBe(1);
    expect(removeAgain.stderr).toMatch(/^offcode: REMOVE_FAILED: /);
  });

  it("the start banner's CLI line (cliActivateLine with the application's values) enrols via /pa/v3 as printed", async () => {
    const app = await b.application(true);
    const { activationId, activationCode } = await b.init(app.applicationId);
    const line = cliActivateLine({
      url: api.url,
      application: app.applicationId,
      activationCode,
      applicationKey: app.appKey,
      applicationSecret: app.appSecret,
      masterPublicKey: app.masterKey,
    });
    // Every word is a plain shell word (nothing quoted), so splitting on spaces is what the shell does.
    expect(line).not.toMatch(/['"\\]/);
    const words = line.split(' ');
    const start = words.indexOf('token');
    expect(words.slice(0, start).join(' ')).toMatch(/^(node \S+\/bin\/offcode\.js|offcode)$/);
    const state = stateFile();
    const enrolled = okJson(await offcode([...words.slice(start), '--pin', PIN, '--state', state]));
    expect(enrolled).toMatchObject({ activationId, mechanism: 'powerauth', activationStatus: 'ACTIVE' });
  });

  it('CLI: an application that commits later → PENDING_COMMIT; after the bank commits, --remote shows ACTIVE', async () => {
    const app = await b.application(false);
    const { activationId, activationCode, signature } = await b.init(app.applicationId);
    const state = stateFile();
    const enrolled = okJson(
      await offcode([
        ...['token', 'activate', '--server', api.url, '--code', `${activationCode}#${signature}`],
        ...['--app-key', app.appKey, '--app-secret', app.appSecret, '--master-key', app.masterKey],
        ...['--pin', PIN, '--state', state],
      ]),
    );
    expect(enrolled).toMatchObject({ activationStatus: 'PENDING_COMMIT', applicationId: app.appKey });
    expect((await b.status(activationId)).activationStatus).toBe('PENDING_COMMIT');
    await b.call('/rest/v3/activation/commit', { activationId });
    expect(okJson(await offcode(['token', 'status', '--state', state, '--remote'])).activationStatus).toBe(
      'ACTIVE',
    );
    expect(JSON.parse(readFileSync(state, 'utf8')).activationStatus).toBe('ACTIVE');
  });

  it('a wrong --app-secret: the server refuses, nothing is stored, the code stays usable', async () => {
    const app = await b.application(true);
    const { activationId, activationCode } = await b.init(app.applicationId);
    const state = stateFile();
    const args = (secret: string) => [
      ...['token', 'activate', '--server', api.url, '--code', activationCode],
      ...['--app-key', app.appKey, '--app-secret', secret, '--master-key', app.masterKey],
      ...['--pin', PIN, '--state', state],
    ];
    const refused = await offcode(args(Buffer.alloc(16, 7).toString('base64')));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^offcode: ACTIVATION_FAILED: .*\n$/);
    expect((await b.status(activationId)).activationStatus).toBe('CREATED');
    expect(okJson(await offcode(args(app.appSecret))).activationStatus).toBe('ACTIVE');
  });

  it('the enrolled devices are rows of this storage (PostgreSQL: read back over a separate connection)', async () => {
    // ACTIVE = 3 with the device key activation/create stored, REMOVED = 5 (server repo/rows.ts).
    const sql = `SELECT count(*) FILTER (WHERE activation_status = 3 AND device_public_key IS NOT NULL)::int AS active,
                        count(*) FILTER (WHERE activation_status = 5)::int AS removed FROM oc_activation`;
    let row: { active: unknown; removed: unknown };
    if (db) {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        row = (await client.query(sql)).rows[0];
      } finally {
        await client.end();
      }
    } else row = (await api.storage.query<{ active: unknown; removed: unknown }>(sql)).rows[0]!;
    expect(Number(row.active)).toBeGreaterThanOrEqual(2);
    expect(Number(row.removed)).toBeGreaterThanOrEqual(2);
  });

  it('three CLI devices (main in-process, concurrently) racing one code: one exit 0, two ACTIVATION_FAILED', async () => {
    const app = await b.application(true);
    const { activationId, activationCode } = await b.init(app.applicationId);
    const states = [stateFile(), stateFile(), stateFile()];
    const runs = await Promise.all(
      states.map((state) =>
        offcode([
          ...[
            'token',
            'activate',
            '--server',
            api.url,
            '--code',
            activationCode,
            '--pin',
            PIN,
            '--state',
            state,
          ],
          ...['--app-key', app.appKey, '--app-secret', app.appSecret, '--master-key', app.masterKey],
        ]),
      ),
    );
    expect(runs.map((r) => r.status).sort()).toEqual([0, 1, 1]);
    const winner = runs.findIndex((r) => r.status === 0);
    expect(okJson(runs[winner]!).activationId).toBe(activationId);
    for (const [i, r] of runs.entries()) {
      if (i === winner) continue;
      expect(r.stderr).toMatch(/^offcode: ACTIVATION_FAILED: [^\n]+\n$/);
      expect(() => readFileSync(states[i]!)).toThrow();
    }
    const pay = await b.payment(activationId);
    const code = await offcode(
      ['token', 'approve', '--state', states[winner]!, '--pin', PIN],
      pay.offlineData,
    );
    expect(await pay.verify(code.stdout.trim())).toMatchObject({ signatureValid: true });
  });

  it('devices racing one activation code over HTTP: exactly one wins, the others are refused', async () => {
    const app = await b.application(true);
    for (let round = 0; round < 3; round++) {
      const { activationId, activationCode } = await b.init(app.applicationId);
      const devices = Array.from({ length: 4 }, () => new OffcodeToken({ store: new MemoryTokenStore() }));
      const results = await Promise.allSettled(
        devices.map((t) =>
          t.activate({
            serverUrl: api.url,
            activationCode,
            pin: PIN,
            applicationKey: app.appKey,
            applicationSecret: app.appSecret,
            masterPublicKey: app.masterKey,
          }),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won, `round ${round}`).toHaveLength(1);
      expect(won[0]!.value.activationId).toMatch(UUID_RE);
      expect(won[0]!.value.activationId).toBe(activationId);
      for (const r of results.filter((x) => x.status === 'rejected')) {
        const e = (r as PromiseRejectedResult).reason;
        expect(e).toBeInstanceOf(OffcodeClientError);
        expect(e.code).toBe('ACTIVATION_FAILED');
      }
      // The winner is the device the server holds: its code verifies.
      const winner = devices[results.findIndex((r) => r.status === 'fulfilled')]!;
      const pay = await b.payment(activationId);
      expect(await pay.verify((await winner.approve(pay.offlineData, { pin: PIN })).code)).toMatchObject({
        signatureValid: true,
      });
    }
  });
});

function writeQr(text: string): string {
  const file = join(dir, `qr-${files++}.txt`);
  writeFileSync(file, text);
  return file;
}
