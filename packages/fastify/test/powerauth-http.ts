/**
 * The harness of the /pa/v3 HTTP suites: a database (PGlite in memory or a fresh PostgreSQL schema), the
 * services on a test clock, the plugin on a real listening Fastify instance (integration credentials
 * configured, which the device-facing routes must not need), fresh applications with PowerAuth 3.3 devices,
 * and the check every refusal must pass: the RESTful-integration envelope with a known code and its fixed
 * message, JSON content type, 400 or 401.
 */
import { randomBytes } from 'node:crypto';
import {
  createOffcodeServer,
  ENROLLMENT_ERRORS,
  loadConfigOrThrow,
  type OffcodeServer,
  openStorage,
} from '@offcode/server';
import { pgliteTemplate } from '@offcode/server/internal';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { expect } from 'vitest';
import { offcodeRoutes } from '../src/index.js';
import { type AppCredentials, Pa3Device, type TemporaryKey } from './powerauth-device.js';
import { TEST_MASTER_KEY } from './powerauth-fixtures.js';

export const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const PAIR = { token: 'bank-backend', secret: 's3cret-pair' };
/** The instance's body limit in these suites (apps/api's default). */
export const BODY_LIMIT = 65_536;

export type Storage = Awaited<ReturnType<typeof openStorage>>;
export type DbKind = 'pglite' | 'postgresql';

export class MovableClock {
  t = Date.UTC(2025, 4, 1, 10, 0, 0);
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export async function openDb(kind: DbKind): Promise<{ storage: Storage; cleanup(): Promise<void> }> {
  if (kind === 'pglite') {
    // From the migrated template (server.md §5.3): initdb once per run, not per suite.
    const storage = await openStorage(
      { databaseUrl: null, dataDir: 'memory://', dbPoolMax: 1, autoMigrate: true },
      { pgliteDump: await pgliteTemplate() },
    );
    return { storage, cleanup: () => storage.close() };
  }
  const schema = `oc_test_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: DATABASE_URL });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  await admin(`CREATE SCHEMA ${schema}`);
  const storage = await openStorage(
    { databaseUrl: DATABASE_URL, dataDir: '', dbPoolMax: 4, autoMigrate: true },
    { schema },
  );
  return {
    storage,
    async cleanup() {
      await storage.close();
      await admin(`DROP SCHEMA ${schema} CASCADE`);
    },
  };
}

export interface Api {
  server: OffcodeServer;
  storage: Storage;
  app: FastifyInstance;
  base: string;
  clock: MovableClock;
  close(): Promise<void>;
}

/** The services on `kind` with a movable clock, served by the plugin over a real socket. */
export async function startApi(kind: DbKind): Promise<Api> {
  const db = await openDb(kind);
  const clock = new MovableClock();
  const server = await createOffcodeServer({
    config: loadConfigOrThrow({
      OFFCODE_MASTER_KEY: TEST_MASTER_KEY,
      OFFCODE_CRYPTO_BACKEND: 'wasm',
      OFFCODE_PAYLOAD_REGISTRY: 'off',
    }),
    storage: db.storage,
    clock: clock.now,
  });
  const app = Fastify({ bodyLimit: BODY_LIMIT });
  await app.register(offcodeRoutes, { server, credentials: [PAIR] });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    server,
    storage: db.storage,
    app,
    base,
    clock,
    async close() {
      await app.close();
      await db.cleanup();
    },
  };
}

export interface Answer {
  status: number;
  text: string;
  contentType: string | null;
}

/** One POST; `headers` replace the defaults (a `content-type` of `null` sends none). */
export async function post(
  base: string,
  path: string,
  body: Uint8Array | string,
  headers: Record<string, string | null | undefined> = {},
): Promise<Answer> {
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries({ 'content-type': 'application/json', ...headers })) {
    if (typeof value === 'string') sent[name] = value;
  }
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: sent,
    body: typeof body === 'string' ? body : Buffer.from(body),
  });
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') };
}

/** Device call → wire headers. */
export function wireHeaders(headers?: { encryption?: string; authorization?: string }) {
  return {
    'x-powerauth-encryption': headers?.encryption,
    'x-powerauth-authorization': headers?.authorization,
  };
}

/**
 * The refusal contract of /pa/v3 (server.md §1.6): 400, or 401 for ERR_AUTHENTICATION; JSON; exactly
 * `{"status":"ERROR","responseObject":{code,message[,field]}}` with a RESTful-integration code and its fixed
 * message. Returns the response object.
 */
export function expectRefusal(
  answer: Answer,
  code?: string,
): { code: string; message: string; field?: string } {
  const context = `${answer.status} ${answer.text.slice(0, 200)}`;
  expect(answer.contentType, context).toMatch(/^application\/json/);
  const json = JSON.parse(answer.text);
  expect(Object.keys(json).sort(), context).toEqual(['responseObject', 'status']);
  expect(json.status, context).toBe('ERROR');
  const object = json.responseObject;
  expect(Object.keys(ENROLLMENT_ERRORS), context).toContain(object.code);
  expect(object.message, context).toBe(ENROLLMENT_ERRORS[object.code as keyof typeof ENROLLMENT_ERRORS]);
  for (const key of Object.keys(object)) expect(['code', 'message', 'field'], context).toContain(key);
  expect(answer.status, context).toBe(object.code === 'ERR_AUTHENTICATION' ? 401 : 400);
  if (code !== undefined) expect(object.code, context).toBe(code);
  return object;
}

/** A fresh application (commit on key exchange) and the credentials a PowerAuth app is configured with. */
export async function freshApplication(
  server: OffcodeServer,
): Promise<{ name: string; credentials: AppCredentials }> {
  const name = `pa3-http-${randomBytes(5).toString('hex')}`;
  await server.applications.create({ applicationId: name, commitOnKeyExchange: true });
  const detail = await server.applications.detail({ applicationId: name });
  const version = detail.versions[0]!;
  return {
    name,
    credentials: {
      applicationKey: version.applicationKey,
      applicationSecret: version.applicationSecret,
      masterPublicKey: detail.masterPublicKeys.EC_P256!,
    },
  };
}

/** A new device with a temporary key from `POST /pa/v3/keystore/create`. */
export async function deviceWithKey(
  base: string,
  credentials: AppCredentials,
): Promise<{ device: Pa3Device; key: TemporaryKey }> {
  const device = new Pa3Device(credentials);
  const answer = await post(base, '/pa/v3/keystore/create', device.keystoreRequest().body);
  expect(answer.status, answer.text).toBe(200);
  return { device, key: device.temporaryKey(JSON.parse(answer.text)) };
}
