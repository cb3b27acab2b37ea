/**
 * The OpenAPI document lists every operation the plugin serves: each route the plugin registers (collected
 * with an `onRoute` hook on the application, so a route added without a document entry fails here) is in
 * `paths` with its method, for the default mount, a prefix with credentials, and subsets of groups; the
 * /pa/v3 operations are device-facing (tag, no security even with credentials configured) and refer to the
 * RESTful-integration error envelope, whose codes are the service's.
 */
import {
  createOffcodeServer,
  ENROLLMENT_ERRORS,
  loadConfigOrThrow,
  type OffcodeServer,
  openStorage,
} from '@offcode/server';
import { pgliteTemplate } from '@offcode/server/internal';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OffcodeRoutesOptions, offcodeRoutes } from '../src/index.js';
import { TEST_MASTER_KEY } from './powerauth-fixtures.js';
import { PAIR } from './powerauth-http.js';

// biome-ignore lint/suspicious/noExplicitAny: the document is read as JSON
type Json = any;

/** The viewer's static assets are files of the viewer page, not API operations. */
const isViewerAsset = (url: string): boolean => /\/docs\/.+/.test(url);

let storage: Awaited<ReturnType<typeof openStorage>>;
let server: OffcodeServer;

beforeAll(async () => {
  storage = await openStorage(
    { databaseUrl: null, dataDir: 'memory://', dbPoolMax: 1, autoMigrate: true },
    { pgliteDump: await pgliteTemplate() },
  );
  server = await createOffcodeServer({
    config: loadConfigOrThrow({ OFFCODE_MASTER_KEY: TEST_MASTER_KEY, OFFCODE_CRYPTO_BACKEND: 'wasm' }),
    storage,
  });
});
afterAll(async () => {
  await server?.close();
  await storage?.close();
});

/** The plugin on an instance (never listening: `inject`), with every route it registered. */
async function mounted(options: Omit<OffcodeRoutesOptions, 'server'>) {
  const app: FastifyInstance = Fastify();
  const routes: [string, string][] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routes.push([method.toLowerCase(), route.url]);
  });
  await app.register(offcodeRoutes, { server, ...options });
  await app.ready();
  return { app, routes };
}

async function documentOf(app: FastifyInstance, path: string): Promise<Json> {
  const r = await app.inject({ method: 'GET', url: path });
  expect(r.statusCode).toBe(200);
  return r.json();
}

const PA_PATHS = [
  '/pa/v3/keystore/create',
  '/pa/v3/activation/create',
  '/pa/v3/activation/status',
  '/pa/v3/activation/remove',
];

describe.each([
  ['default mount, no credentials', {}, ''],
  ['prefix and credentials', { prefix: '/offcode', credentials: [PAIR] }, '/offcode'],
  [
    'only the PowerAuth device API and the document',
    { mount: { v3: false, v4: false, device: false, health: false, metrics: false, docs: false } },
    '',
  ],
  ['everything but the PowerAuth device API', { mount: { powerauth: false } }, ''],
] as const)('OpenAPI lists every mounted route (%s)', (_name, options, prefix) => {
  it('every registered route and method is an operation, and every operation a route', async () => {
    const { app, routes } = await mounted(options as Omit<OffcodeRoutesOptions, 'server'>);
    try {
      const doc = await documentOf(app, `${prefix}/openapi.json`);
      const served = routes.filter(([, url]) => !isViewerAsset(url));
      const documented = Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
        Object.keys(item).map((method): [string, string] => [method, path]),
      );
      expect(documented.sort()).toEqual(served.sort());
      const powerauth = (options as { mount?: { powerauth?: boolean } }).mount?.powerauth !== false;
      for (const path of PA_PATHS) expect(Object.hasOwn(doc.paths, `${prefix}${path}`)).toBe(powerauth);
    } finally {
      await app.close();
    }
  });
});

describe('the /pa/v3 operations', () => {
  it('are device-facing, refer to the RESTful-integration error envelope, and describe the SDK wire shapes', async () => {
    const { app } = await mounted({ credentials: [PAIR] });
    try {
      const doc = await documentOf(app, '/openapi.json');
      expect(doc.components.securitySchemes.basicAuth).toBeDefined();
      expect(doc.paths['/rest/v3/application/list'].post.security).toEqual([{ basicAuth: [] }]);
      const errorRef = { $ref: '#/components/schemas/PowerAuthErrorEnvelope' };
      for (const path of PA_PATHS) {
        const op = doc.paths[path].post;
        expect(op.tags).toEqual(['Device (PowerAuth)']);
        expect(op.security).toBeUndefined();
        const refusal = path.endsWith('/remove') ? '401' : '400';
        expect(op.responses[refusal].content['application/json'].schema).toEqual(errorRef);
        expect(op.responses['200']).toBeDefined();
        expect(op.requestBody.required).toBe(true);
      }
      const envelope = doc.components.schemas.PowerAuthErrorEnvelope;
      expect(envelope.properties.status.enum).toEqual(['ERROR']);
      expect(envelope.properties.responseObject.required).toEqual(['code', 'message']);
      expect(envelope.properties.responseObject.properties.code.enum.sort()).toEqual(
        Object.keys(ENROLLMENT_ERRORS).sort(),
      );
      expect(doc.tags.map((t: Json) => t.name)).toContain('Device (PowerAuth)');
      // The ECIES request is the bare body the SDK sends; the header is declared.
      const create = doc.paths['/pa/v3/activation/create'].post;
      expect(create.requestBody.content['application/json'].schema).toEqual({
        $ref: '#/components/schemas/EciesRequest',
      });
      expect(doc.components.schemas.EciesRequest.required).toEqual([
        'temporaryKeyId',
        'ephemeralPublicKey',
        'encryptedData',
        'mac',
        'nonce',
        'timestamp',
      ]);
      expect(create.parameters).toEqual([
        expect.objectContaining({ name: 'X-PowerAuth-Encryption', in: 'header', required: true }),
      ]);
      expect(doc.paths['/pa/v3/activation/remove'].post.parameters[0].name).toBe('X-PowerAuth-Authorization');
      // Every $ref in the document resolves.
      const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[A-Za-z]+/g) ?? [];
      for (const r of new Set(refs)) expect(doc.components.schemas[r.split('/').pop()!], r).toBeDefined();
    } finally {
      await app.close();
    }
  });
});
