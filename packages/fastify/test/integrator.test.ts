/**
 * An existing Fastify application mounts the plugin (issue 11 item 3): its own routes, error handler,
 * 404 handler, body parser and its own authentication stay as they were, over real HTTP on a random port;
 * the PowerAuth routes work (the simulated device of tools/sim-token activates through the device-facing
 * exchange and its code verifies; the real token of @offcode/client meets this plugin in the client's own
 * suites, through tools/test-harness, so this package needs no client), unmounted groups answer 404 in the envelope, and credentials are decided on the matched route.
 * On in-memory PGlite, and on PostgreSQL for the full flow.
 */
import { randomBytes } from 'node:crypto';
import { buildPayloadData, paymentOperationData } from '@offcode/protocol';
import {
  createOffcodeServer,
  loadConfigOrThrow,
  type OffcodeServer,
  openStorage,
  type Storage,
} from '@offcode/server';
import { pgliteTemplate } from '@offcode/server/internal';
import { SimulatedDevice } from '@offcode/sim-token';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OffcodeRoutesOptions, offcodeRoutes } from '../src/index.js';

const PAIR = { token: 'bank-backend', secret: 's3cret-pair' };
const BASIC = `Basic ${Buffer.from(`${PAIR.token}:${PAIR.secret}`).toString('base64')}`;
const APP_TOKEN = 'Bearer the-banks-own-token';

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  json: any;
  text: string;
}

async function call(
  base: string,
  method: string,
  path: string,
  init: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(init.body !== undefined
      ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }
      : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

const rest = (base: string, path: string, requestObject: unknown, auth = true) =>
  call(base, 'POST', path, { body: { requestObject }, headers: auth ? { authorization: BASIC } : {} });

/** The bank's existing application: its own routes, auth, error and 404 handlers, and a JSON parser. */
function banksApp(): FastifyInstance {
  const app = Fastify();
  app.setErrorHandler((error, _request, reply) =>
    reply.code(418).send({ bankError: true, message: (error as Error).message }),
  );
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ bankNotFound: true }));
  app.get('/bank/hello', async () => ({ hello: 'from the bank' }));
  app.post('/bank/echo', async (request) => ({ echo: request.body }));
  app.get('/bank/fail', async () => {
    throw new Error('the bank failed');
  });
  // The bank's own authentication on its own routes.
  app.register(async (secured) => {
    secured.addHook('onRequest', async (request, reply) => {
      if (request.headers.authorization !== APP_TOKEN) return reply.code(403).send({ bankAuth: 'denied' });
    });
    secured.get('/bank/account', async () => ({ balance: 100 }));
  });
  return app;
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

async function mounted(server: OffcodeServer, options: Omit<OffcodeRoutesOptions, 'server'>) {
  const app = banksApp();
  await app.register(offcodeRoutes, { server, ...options });
  return { app, base: await listen(app) };
}

/** The bank's routes behave as without the plugin. */
async function expectBankUntouched(base: string): Promise<void> {
  expect((await call(base, 'GET', '/bank/hello')).json).toEqual({ hello: 'from the bank' });
  expect((await call(base, 'POST', '/bank/echo', { body: { a: 1 } })).json).toEqual({ echo: { a: 1 } });
  const failed = await call(base, 'GET', '/bank/fail');
  expect([failed.status, failed.json]).toEqual([418, { bankError: true, message: 'the bank failed' }]);
  // Its own parsers: text as a string, XML (no parser) the framework's 415 through the bank's error handler.
  const text = await call(base, 'POST', '/bank/echo', {
    body: 'plain',
    headers: { 'content-type': 'text/plain' },
  });
  expect(text.json).toEqual({ echo: 'plain' });
  const xml = await call(base, 'POST', '/bank/echo', {
    body: '<a/>',
    headers: { 'content-type': 'application/xml' },
  });
  expect([xml.status, xml.json.bankError]).toEqual([418, true]);
  expect((await call(base, 'GET', '/bank/nowhere')).json).toEqual({ bankNotFound: true });
  expect((await call(base, 'GET', '/bank/account')).status).toBe(403);
  expect((await call(base, 'GET', '/bank/account', { headers: { authorization: APP_TOKEN } })).json).toEqual({
    balance: 100,
  });
  // The plugin's credentials are not the bank's: Basic does not open the bank's route.
  expect((await call(base, 'GET', '/bank/account', { headers: { authorization: BASIC } })).status).toBe(403);
  const plain = await call(base, 'GET', '/bank/hello');
  expect(plain.headers.get('x-request-id')).toBeNull();
  expect(plain.headers.get('cache-control')).toBeNull();
}

const expectEnvelopeError = (a: Answer, status: number, code: string): void => {
  expect([a.status, a.json?.status, a.json?.responseObject?.code], a.text.slice(0, 200)).toEqual([
    status,
    'ERROR',
    code,
  ]);
  expect(a.headers.get('x-request-id')).toBeTruthy();
  expect(a.headers.get('cache-control')).toBe('no-store');
};

/** A user enrolled through the REST methods, a device over the device-facing exchange, one code verified. */
async function fullFlow(base: string, prefix: string, protocol: 3 | 4, auth: boolean): Promise<void> {
  const applicationId = `bank-${randomBytes(4).toString('hex')}`;
  const created = await rest(
    base,
    `${prefix}/rest/v${protocol}/application/create`,
    {
      applicationId,
      commitOnKeyExchange: true,
    },
    auth,
  );
  expect(created.status, created.text).toBe(200);
  const init = await rest(
    base,
    `${prefix}/rest/v${protocol}/activation/init`,
    { userId: 'alice', applicationId },
    auth,
  );
  const device = new SimulatedDevice(protocol);
  const exchanged = await rest(
    base,
    `${prefix}/rest/offcode/activation/exchange`,
    device.exchangeRequest(init.json.responseObject.activationCode),
    false,
  );
  expect(exchanged.status, exchanged.text).toBe(200);
  device.complete(exchanged.json.responseObject);
  const status = await rest(
    base,
    `${prefix}/rest/v${protocol}/activation/status`,
    { activationId: device.activationId },
    auth,
  );
  expect(status.json.responseObject.activationStatus).toBe('ACTIVE');
  const operationId = randomBytes(6).toString('hex');
  const operationData = paymentOperationData({
    amount: '100',
    currency: 'EUR',
    iban: 'CZ2730300000001165254011',
  });
  const data = buildPayloadData({
    operationId,
    title: 'Payment',
    message: 'Pay 100 EUR',
    operationData,
    flags: {},
  });
  const paths =
    protocol === 3
      ? {
          create: '/rest/v3/signature/offline/personalized/create',
          verify: '/rest/v3/signature/offline/verify',
        }
      : { create: '/rest/v4/auth/offline/personalized/create', verify: '/rest/v4/auth/offline/verify' };
  const payload = await rest(
    base,
    `${prefix}${paths.create}`,
    { activationId: device.activationId, data },
    auth,
  );
  expect(payload.status, payload.text).toBe(200);
  // The device checks the payload's signature (V3) or MAC (V4) before it computes the code.
  const offline = device.readPayload(payload.json.responseObject.offlineData);
  const verified = await rest(
    base,
    `${prefix}${paths.verify}`,
    device.verifyRequest(offline, device.computeCode(offline)),
    auth,
  );
  expect(verified.status, verified.text).toBe(200);
  expect(verified.json.responseObject[protocol === 3 ? 'signatureValid' : 'authenticationValid']).toBe(true);
}

describe('mounted in an existing Fastify app (PGlite)', () => {
  let storage: Storage;
  let server: OffcodeServer;
  beforeAll(async () => {
    const config = loadConfigOrThrow({ OFFCODE_DATA_DIR: 'memory://', OFFCODE_TEMP_BLOCK_SWEEP_MS: '0' });
    storage = await openStorage(config, { pgliteDump: await pgliteTemplate() });
    server = await createOffcodeServer({ config, storage });
  });
  afterAll(async () => {
    await server?.close();
    await storage?.close();
  });

  it('without credentials, every group: the PowerAuth routes work (V3 and V4 flow) and the bank is untouched', async () => {
    const { app, base } = await mounted(server, {});
    try {
      await expectBankUntouched(base);
      await fullFlow(base, '', 4, false);
      await fullFlow(base, '', 3, false);
      expect((await call(base, 'GET', '/healthz')).text).toBe('ok');
      expect((await call(base, 'GET', '/metrics')).text).toMatch(
        /^offcode_verify_total\{protocol="4",outcome="valid"\} 1$/m,
      );
      const doc = (await call(base, 'GET', '/openapi.json')).json;
      expect(Object.keys(doc.paths)).toContain('/rest/v4/auth/offline/verify');
      expect(doc.components.securitySchemes).toBeUndefined();
      // Unknown paths below /rest are the plugin's (envelope); elsewhere the bank's.
      expectEnvelopeError(await call(base, 'GET', '/rest/v3/nothing'), 404, 'ERROR_NOT_FOUND');
      const wrongMethod = await call(base, 'PUT', '/rest/v3/status');
      expectEnvelopeError(wrongMethod, 405, 'OFF-0002');
      expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD, POST');
      expect((await call(base, 'GET', '/nothing')).json).toEqual({ bankNotFound: true });
      // Bad input to a plugin route: 400 in the envelope naming the field, not the bank's error handler.
      const bad = await call(base, 'POST', '/rest/v4/application/create', {
        body: 'x',
        headers: { 'content-type': 'text/plain' },
      });
      expectEnvelopeError(bad, 400, 'ERR0024');
      expect(bad.json.responseObject.message).toBe('body - Content-Type must be application/json');
    } finally {
      await app.close();
    }
  });

  it('with credentials, a subset of groups and a prefix: credentials on the matched route, unmounted groups 404 in the envelope', async () => {
    const { app, base } = await mounted(server, {
      credentials: [PAIR],
      prefix: '/offcode',
      mount: { v3: false, metrics: false, docs: false },
    });
    try {
      await expectBankUntouched(base);
      // Protected: refused without the pair (in every spelling the router matches), served with it.
      for (const path of [
        '/offcode/rest/v4/status',
        '/offcode/rest/v4/st%61tus',
        '/offcode/rest/v4/status?x=1',
      ]) {
        const refused = await call(base, 'GET', path);
        expectEnvelopeError(refused, 401, 'OFF-0001');
        expect(refused.headers.get('www-authenticate')).toBe('Basic realm="offcode"');
        expect((await call(base, 'GET', path, { headers: { authorization: BASIC } })).status).toBe(200);
      }
      // The bank's own token is not an integration credential.
      expectEnvelopeError(
        await call(base, 'GET', '/offcode/rest/v4/status', { headers: { authorization: APP_TOKEN } }),
        401,
        'OFF-0001',
      );
      // Device-facing and public routes need no credentials.
      expectEnvelopeError(
        await rest(base, '/offcode/rest/offcode/activation/exchange', {}, false),
        400,
        'ERR0024',
      );
      expect((await call(base, 'GET', '/offcode/healthz')).text).toBe('ok');
      const doc = (await call(base, 'GET', '/offcode/openapi.json')).json;
      expect(doc.components.securitySchemes.basicAuth).toEqual({ type: 'http', scheme: 'basic' });
      const paths = Object.keys(doc.paths);
      expect(paths).toContain('/offcode/rest/v4/auth/offline/verify');
      expect(paths).toContain('/offcode/pa/v3/activation/create');
      expect(
        paths.filter((p) => p.includes('/rest/v3/') || p.endsWith('/metrics') || p.endsWith('/docs')),
      ).toEqual([]);
      // Unmounted groups: 404 in the envelope, with or without credentials, before any credential check.
      for (const auth of [{}, { authorization: BASIC }] as Record<string, string>[]) {
        expectEnvelopeError(
          await call(base, 'POST', '/offcode/rest/v3/application/list', { headers: auth }),
          404,
          'ERROR_NOT_FOUND',
        );
        expectEnvelopeError(
          await call(base, 'GET', '/offcode/metrics', { headers: auth }),
          404,
          'ERROR_NOT_FOUND',
        );
        expectEnvelopeError(
          await call(base, 'GET', '/offcode/docs', { headers: auth }),
          404,
          'ERROR_NOT_FOUND',
        );
      }
      // Without the prefix nothing of the plugin answers: the bank's 404.
      expect(
        (await call(base, 'GET', '/rest/v4/status', { headers: { authorization: BASIC } })).json,
      ).toEqual({
        bankNotFound: true,
      });
      await fullFlow(base, '/offcode', 4, true);
    } finally {
      await app.close();
    }
  });

  it('bad options fail the registration with one error naming the option (no secret in it)', async () => {
    for (const [options, field] of [
      [{ credentials: [{ token: 'a:b', secret: 'hidden-secret' }] }, 'credentials[0]'],
      [{ credentials: [{ token: 'a', secret: '' }] }, 'credentials[0]'],
      [{ mount: { v5: true } }, 'mount.v5'],
      [{ mount: { v3: 'yes' } }, 'mount.v3'],
      [{ prefix: 'offcode/' }, 'prefix'],
      [{ prefix: '/a/' }, 'prefix'],
      [{ typo: true }, 'typo'],
    ] as const) {
      const app = Fastify();
      app.register(offcodeRoutes, { server, ...(options as object) } as OffcodeRoutesOptions);
      const error = await app.ready().then(
        () => null,
        (e: unknown) => e as { name: string; code: string; field: string; kind: string; message: string },
      );
      expect(error, JSON.stringify(options)).not.toBeNull();
      expect([error!.name, error!.code, error!.field, error!.kind]).toEqual([
        'OffcodeRoutesOptionsError',
        'INVALID_PLUGIN_OPTIONS',
        field,
        'input',
      ]);
      expect(error!.message).not.toContain('hidden-secret');
      await app.close();
    }
    const app = Fastify();
    app.register(offcodeRoutes, { server: {} } as unknown as OffcodeRoutesOptions);
    await expect(app.ready()).rejects.toMatchObject({ field: 'server' });
    await app.close();
  });
});

describe('mounted in an existing Fastify app (PostgreSQL)', () => {
  const admin = 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `offcode_fastify_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  let storage: Storage;
  let server: OffcodeServer;
  beforeAll(async () => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    const config = loadConfigOrThrow({
      DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${name}`,
      OFFCODE_TEMP_BLOCK_SWEEP_MS: '0',
    });
    storage = await openStorage(config);
    server = await createOffcodeServer({ config, storage });
  });
  afterAll(async () => {
    await server?.close();
    await storage?.close();
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });

  it('V4 and V3 flows with credentials and only the integration and device groups', async () => {
    const { app, base } = await mounted(server, {
      credentials: [PAIR],
      mount: { health: false, metrics: false, openapi: false, docs: false },
    });
    try {
      await expectBankUntouched(base);
      await fullFlow(base, '', 4, true);
      await fullFlow(base, '', 3, true);
      expect((await call(base, 'GET', '/healthz')).json).toEqual({ bankNotFound: true });
    } finally {
      await app.close();
    }
  });
});
