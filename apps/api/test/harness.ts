/**
 * Test harness: real API servers (in-process on a random port, or child processes running dist/main.js),
 * real storage (in-memory PGlite or a fresh PostgreSQL database dropped afterwards), a plain HTTP client and
 * a real software token (@offcode/client over an in-memory store) to produce codes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryTokenStore, OffcodeToken } from '@offcode/client';
import {
  buildOfflineBody,
  buildPayloadData,
  buildRequestData,
  createCryptoSuite,
  paymentOperationData,
} from '@offcode/protocol';
import { createOffcodeServer, type Storage } from '@offcode/server';
import { pgliteTemplate } from '@offcode/server/internal';
import pg from 'pg';
import { buildApi } from '../src/app.js';
import { DEMO_TABLES } from '../src/demo/migrations.js';
import { loadApiSettingsOrThrow } from '../src/settings.js';
import { type RunningApi, type StartApiOptions, startApi } from '../src/start.js';

export const API_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const DEMO_APP = 'offcode-demo';
/** The crypto suite of test code that plays a device (key pairs for the exchange). */
export const TEST_SUITE = createCryptoSuite();

/**
 * Starts the API in this process on 127.0.0.1 and a random port, on in-memory PGlite unless `env` says
 * otherwise. The demo is on (it is off by default): most suites use its application (`DEMO_APP`), seeded at
 * start; suites about the defaults pass `OFFCODE_DEMO_ENABLED: 'false'` or use `spawnApi`.
 */
export async function startTestApi(
  env: Record<string, string> = {},
  options: Omit<StartApiOptions, 'env'> = {},
): Promise<RunningApi> {
  const merged: Record<string, string> = {
    OFFCODE_PORT: '0',
    OFFCODE_HOST: '127.0.0.1',
    OFFCODE_DATA_DIR: 'memory://',
    OFFCODE_LOG_LEVEL: 'silent',
    OFFCODE_TEMP_BLOCK_SWEEP_MS: '0',
    OFFCODE_DEMO_ENABLED: 'true',
    ...env,
  };
  // A memory:// database starts from the migrated template (server.md §5.3) instead of initdb; the demo's
  // tables are then migrated on top of it as on any database.
  const fromTemplate = merged.OFFCODE_DATA_DIR === 'memory://' && !merged.DATABASE_URL && !options.pgliteDump;
  return startApi({
    env: merged,
    logger: false,
    ...(fromTemplate ? { pgliteDump: await pgliteTemplate() } : {}),
    ...options,
  });
}

export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

/** POSTs a raw body (string) or a JSON value; `json` is the parsed answer or undefined. */
export async function http<T = Record<string, unknown>>(
  baseUrl: string,
  path: string,
  init: { method?: string; body?: unknown; raw?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (init.raw !== undefined) body = typeof init.raw === 'string' ? init.raw : new Uint8Array(init.raw);
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? 'POST',
    headers,
    ...(body !== undefined ? { body } : {}),
    redirect: 'manual',
  });
  const text = await res.text();
  let json: T;
  try {
    json = JSON.parse(text) as T;
  } catch {
    json = undefined as T;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A JSON value as the tests read it: checked field by field with expect(), so left untyped on purpose. */
// biome-ignore lint/suspicious/noExplicitAny: the one loose type of the test suite
export type AnyJson = any;

export interface Envelope {
  status: 'OK' | 'ERROR';
  responseObject: AnyJson;
}

/** POST `{requestObject}` and return the envelope (status code included). */
export async function rest(
  baseUrl: string,
  path: string,
  requestObject?: unknown,
  headers: Record<string, string> = {},
) {
  const r = await http<Envelope>(baseUrl, path, {
    ...(requestObject === undefined ? {} : { body: { requestObject } }),
    headers,
  });
  return { status: r.status, body: r.json, headers: r.headers };
}

/** POST expecting success: returns the responseObject or throws with the error envelope. */
export async function ok(
  baseUrl: string,
  path: string,
  requestObject?: unknown,
  headers: Record<string, string> = {},
): Promise<AnyJson> {
  const r = await rest(baseUrl, path, requestObject, headers);
  if (r.status !== 200 || r.body?.status !== 'OK')
    throw new Error(`${path} → ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.responseObject;
}

/** A software token activated against `baseUrl` (real exchange over HTTP). */
export async function activateToken(
  baseUrl: string,
  input: {
    protocol: 3 | 4;
    application?: string;
    userId?: string;
    pin?: string;
    init?: Record<string, unknown>;
    enableBiometry?: boolean;
  },
) {
  const application = input.application ?? DEMO_APP;
  const init = await ok(baseUrl, '/rest/v3/activation/init', {
    userId: input.userId ?? `user-${randomBytes(4).toString('hex')}`,
    applicationId: application,
    ...input.init,
  });
  const token = new OffcodeToken({ store: new MemoryTokenStore() });
  const status = await token.activate({
    serverUrl: baseUrl,
    applicationId: application,
    activationCode: init.activationCode,
    pin: input.pin ?? '1234',
    protocol: input.protocol,
    enableBiometry: input.enableBiometry ?? true,
  });
  return {
    token,
    activationId: status.activationId as string,
    userId: init.userId as string,
    activationCode: init.activationCode as string,
  };
}

/** Creates a database `offcode_api_<random>` on the local PostgreSQL; `drop()` removes it (forcing disconnects). */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `offcode_api_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface ChildApi {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

/** Runs `node dist/main.js` (the start command) with the environment; resolves once the banner shows the URL. */
/** Runs `node dist/main.js` to its exit with exactly `env` (plus PATH); for start-up refusals and exit codes. */
export function runMain(
  env: Record<string, string>,
  nodeArgs: string[] = [],
  args: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, join(API_ROOT, 'dist', 'main.js'), ...args], {
      cwd: API_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
    });
    // A process that should have refused to start but did not is stopped, so the test fails, not hangs.
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function spawnApi(env: Record<string, string>, timeoutMs = 60_000): Promise<ChildApi> {
  const child = spawn(process.execPath, [join(API_ROOT, 'dist', 'main.js')], {
    cwd: API_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      OFFCODE_PORT: '0',
      OFFCODE_HOST: '127.0.0.1',
      OFFCODE_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`API did not start within ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const check = () => {
      const m = /Offcode API: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`API exited with ${code} before starting:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Path of the create/verify methods of a protocol version. */
export const offlinePaths = (version: 3 | 4) =>
  version === 3
    ? {
        personalized: '/rest/v3/signature/offline/personalized/create',
        nonPersonalized: '/rest/v3/signature/offline/non-personalized/create',
        verify: '/rest/v3/signature/offline/verify',
        codeField: 'signature' as const,
        validField: 'signatureValid' as const,
        typeField: 'signatureType' as const,
      }
    : {
        personalized: '/rest/v4/auth/offline/personalized/create',
        nonPersonalized: '/rest/v4/auth/offline/non-personalized/create',
        verify: '/rest/v4/auth/offline/verify',
        codeField: 'authenticationCode' as const,
        validField: 'authenticationValid' as const,
        typeField: 'authenticationCodeType' as const,
      };

export interface IssuedPayload {
  offlineData: string;
  nonce: string;
  operationId: string;
  operationData: string;
  /** The verify method's `data` (normalized data without TOTP and "&offline"). */
  requestData: string;
  response: Record<string, unknown>;
}

/** Builds a payment data block and creates a payload through the REST API. */
export async function issuePayload(
  baseUrl: string,
  version: 3 | 4,
  target: { activationId: string } | { applicationId: string },
  options: {
    biometry?: boolean;
    proximity?: { seed: string; stepLength: number };
    amount?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<IssuedPayload> {
  const operationId = randomBytes(8).toString('hex');
  const operationData = paymentOperationData({
    amount: options.amount ?? '100',
    currency: 'EUR',
    iban: 'CZ2730300000001165254011',
  });
  const data = buildPayloadData({
    operationId,
    title: 'Payment',
    message: 'Pay 100 EUR',
    operationData,
    flags: { biometricsAllowed: options.biometry ?? false },
  });
  const paths = offlinePaths(version);
  const personalized = 'activationId' in target;
  const response = await ok(
    baseUrl,
    personalized ? paths.personalized : paths.nonPersonalized,
    { ...target, data, ...(options.proximity ? { proximityCheck: options.proximity } : {}) },
    options.headers,
  );
  return {
    offlineData: response.offlineData,
    nonce: response.nonce,
    operationId,
    operationData,
    requestData: buildRequestData({
      nonce: response.nonce,
      body: buildOfflineBody({ operationId, operationData }),
    }),
    response,
  };
}

/**
 * A second API (another configuration) on the storage of a running one: no second PGlite start-up (the demo
 * on, as in startTestApi). The start-up key check can be skipped to reach the runtime errors of encrypted
 * records (ERR0020/21).
 */
export async function attachApi(
  storage: Storage,
  env: Record<string, string>,
  options: { skipKeyCheck?: boolean; logStream?: { write(line: string): void } } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const config = loadApiSettingsOrThrow({
    OFFCODE_DATA_DIR: 'memory://',
    OFFCODE_LOG_LEVEL: 'silent',
    OFFCODE_TEMP_BLOCK_SWEEP_MS: '0',
    OFFCODE_DEMO_ENABLED: 'true',
    ...env,
  });
  const offcode = await createOffcodeServer({
    config,
    storage,
    tableSets: [DEMO_TABLES],
    ...(options.skipKeyCheck ? { skipKeyCheck: true } : {}),
  });
  const app = await buildApi(
    options.logStream
      ? { offcode, settings: config, logStream: options.logStream }
      : { offcode, settings: config, logger: false },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    async close() {
      await app.close();
      await offcode.close();
    },
  };
}

export interface RawResponse {
  status: number;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent (status line, headers and body). */
  raw: string;
}

/**
 * Sends `request` (the exact bytes of an HTTP/1.x request, request target included) over a raw TCP socket
 * and parses the answer. A raw socket, because fetch and node:http normalise the request target (absolute
 * form, percent-escapes) before it leaves the client. The request should carry `Connection: close`; the
 * answer ends when the server closes the connection (or after `timeoutMs`).
 */
export function rawRequest(url: string, request: string | Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('latin1');
      const end = raw.indexOf('\r\n\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
      if (!m || end < 0) {
        reject(new Error(`no HTTP answer: ${JSON.stringify(raw.slice(0, 200))}`));
        return;
      }
      const headers: Record<string, string> = {};
      for (const line of raw.slice(0, end).split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      }
      const bodyBytes = Buffer.from(raw.slice(end + 4), 'latin1');
      resolve({ status: Number(m[1]), headers, body: bodyBytes.toString('utf8'), raw });
    });
    socket.write(request);
  });
}

/** A complete HTTP/1.1 request with `Connection: close`; `target` is sent exactly as given. */
export function rawHttpRequest(
  method: string,
  target: string,
  options: { body?: string; headers?: Record<string, string> } = {},
): string {
  const body = options.body ?? '';
  const headers: Record<string, string> = {
    Host: 'offcode.test',
    Connection: 'close',
    ...(body !== ''
      ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }
      : {}),
    ...options.headers,
  };
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return `${method} ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** `Authorization` header value of an HTTP Basic `token:secret` pair. */
export const basicAuth = (pair: string): string => `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
