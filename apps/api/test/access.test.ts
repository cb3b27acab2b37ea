/**
 * Integration credentials are decided on the route that matched (server.md §1.5, issue 10 item 1): every
 * route the API serves has a class from one table, the table agrees with the spec's trust model, and every
 * request-target spelling the router accepts for a protected route (percent-escapes in either hex case,
 * absolute-form targets of any scheme case, host, port and user info, query strings, fragments) is refused
 * without credentials and reaches the handler with them. Requests go over a raw socket: fetch would
 * normalise the target before sending it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOffcodeServer } from '@offcode/server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../src/app.js';
import { DEMO_TABLES } from '../src/demo/migrations.js';
import {
  type RegisteredRoute,
  ROUTE_ACCESS,
  ROUTE_ACCESS_CLASSES,
  registeredRoutes,
} from '../src/http/access.js';
import { loadApiSettingsOrThrow } from '../src/settings.js';
import type { RunningApi } from '../src/start.js';
import {
  API_ROOT,
  basicAuth,
  type RawResponse,
  rawHttpRequest,
  rawRequest,
  startTestApi,
} from './harness.js';
import { exampleSpellings, routerRefusedSpellings, spellingOf } from './request-targets.js';

const PAIR = 'bank-app:s3cret';
const AUTH = { Authorization: basicAuth(PAIR) };
const REQUEST_BODY = '{"requestObject":{}}';

let api: RunningApi;
beforeAll(async () => {
  api = await startTestApi({ OFFCODE_INTEGRATION_CREDENTIALS: PAIR });
});
afterAll(async () => {
  await api?.close();
});

/** The routes a build with these settings serves (no listener: the route table only). */
async function routesOf(env: Record<string, string>): Promise<readonly RegisteredRoute[]> {
  const config = loadApiSettingsOrThrow({
    OFFCODE_DATA_DIR: 'memory://',
    OFFCODE_TEMP_BLOCK_SWEEP_MS: '0',
    ...env,
  });
  const offcode = await createOffcodeServer({ config, storage: api.storage, tableSets: [DEMO_TABLES] });
  const app = await buildApi({ offcode, settings: config, logger: false });
  await app.ready();
  const routes = [...registeredRoutes(app)];
  await app.close();
  await offcode.close();
  return routes;
}

/** The trust model table of server.md §1.5: class → route patterns (`/x/**` = everything below /x). */
function specTrustModel(): Map<string, string[]> {
  const spec = readFileSync(join(API_ROOT, '..', '..', 'docs', 'spec', 'server.md'), 'utf8');
  const section = spec.slice(spec.indexOf('### 1.5 '), spec.indexOf('## 2. '));
  const model = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const m = /^\| \*\*(protected|device|public)\*\* \| (.+) \|$/.exec(line);
    if (m)
      model.set(
        m[1]!,
        [...m[2]!.matchAll(/`(\/[^`]*)`/g)].map((x) => x[1]!),
      );
  }
  return model;
}

const matchesPattern = (url: string, pattern: string): boolean =>
  pattern.endsWith('/**') ? url.startsWith(pattern.slice(0, -2)) : url === pattern;

/** A concrete path for a route template (parameters get a random UUID). */
const concrete = (url: string): string => url.replace(/:[A-Za-z]+/g, () => randomUUID());

const send = (method: string, target: string, auth: boolean): Promise<RawResponse> =>
  rawRequest(
    api.url,
    rawHttpRequest(method, target, {
      ...(method === 'POST' ? { body: REQUEST_BODY } : {}),
      ...(auth ? { headers: AUTH } : {}),
    }),
  );

const codeOf = (r: RawResponse): string | undefined => {
  try {
    return (JSON.parse(r.body) as { responseObject?: { code?: string } }).responseObject?.code;
  } catch {
    return undefined;
  }
};

function expectRefused(r: RawResponse, what: string): void {
  expect(r.status, `${what} → ${r.status} ${r.body.slice(0, 200)}`).toBe(401);
  expect(r.headers['www-authenticate'], what).toBe('Basic realm="offcode"');
  if (r.headers['content-length'] !== '0' && !what.startsWith('HEAD'))
    expect(codeOf(r), what).toBe('OFF-0001');
}

/** The handler answered: anything but the credentials error or the router's own 404 / 405. */
function expectHandled(r: RawResponse, what: string): void {
  const detail = `${what} → ${r.status} ${r.body.slice(0, 200)}`;
  expect(r.status, detail).not.toBe(401);
  expect(['ERROR_NOT_FOUND', 'OFF-0002', 'OFF-0001'], detail).not.toContain(codeOf(r));
  expect([200, 303, 400, 404], detail).toContain(r.status);
}

let protectedRoutes: RegisteredRoute[] = [];

describe('route classes (one table, checked against the spec)', () => {
  it('every route of every build (demo on/off, metrics on/off) has a class, and the spec trust model gives the same class', async () => {
    const model = specTrustModel();
    expect([...model.keys()].sort()).toEqual([...ROUTE_ACCESS_CLASSES].sort());
    const seen = new Set<string>();
    for (const demo of ['true', 'false']) {
      for (const metrics of ['true', 'false']) {
        const routes = await routesOf({ OFFCODE_DEMO_ENABLED: demo, OFFCODE_METRICS_ENABLED: metrics });
        expect(routes.length).toBeGreaterThan(40);
        for (const route of routes) {
          seen.add(route.url);
          expect(ROUTE_ACCESS_CLASSES, route.url).toContain(route.access);
          const inSpec = [...model].filter(([, patterns]) =>
            patterns.some((p) => matchesPattern(route.url, p)),
          );
          expect(
            inSpec.map(([cls]) => cls),
            `${route.url}: spec class`,
          ).toEqual([route.access]);
        }
        expect(routes.some((r) => r.url.startsWith('/demo'))).toBe(demo === 'true');
        expect(routes.some((r) => r.url === '/metrics')).toBe(metrics === 'true');
      }
    }
    // No stale entries: every template of the table is served by some build.
    expect([...ROUTE_ACCESS.keys()].filter((url) => !seen.has(url))).toEqual([]);
  });

  it('a route without a class is refused when it is registered (the build fails)', async () => {
    const config = loadApiSettingsOrThrow({
      OFFCODE_DATA_DIR: 'memory://',
      OFFCODE_TEMP_BLOCK_SWEEP_MS: '0',
    });
    const offcode = await createOffcodeServer({ config, storage: api.storage, tableSets: [DEMO_TABLES] });
    const app = await buildApi({ offcode, settings: config, logger: false });
    try {
      expect(() => app.get('/unclassified', async () => 'open')).toThrow(/no access class/);
      expect(() => app.post('/rest/v3/new/method', async () => 'open')).toThrow(/no access class/);
    } finally {
      await app.close();
      await offcode.close();
    }
  });
});

describe('authorization on the matched route (credentials configured, demo on)', () => {
  beforeAll(async () => {
    protectedRoutes = (await routesOf({ OFFCODE_DEMO_ENABLED: 'true' })).filter(
      (r) => r.access === 'protected',
    );
  });

  it('every protected route, every spelling class: no credentials → 401 OFF-0001; credentials → the handler answers', async () => {
    expect(protectedRoutes.length).toBeGreaterThan(50);
    const methods = new Set(protectedRoutes.map((r) => r.method));
    expect([...methods].sort()).toEqual(['GET', 'HEAD', 'POST']);
    for (const route of protectedRoutes) {
      for (const { kind, target } of exampleSpellings(concrete(route.url))) {
        const what = `${route.method} ${target} (${kind})`;
        expectRefused(await send(route.method, target, false), what);
        expectHandled(await send(route.method, target, true), what);
      }
    }
  });

  it('the device-facing exchange and the public routes answer without credentials, in every spelling', async () => {
    for (const [method, path, status] of [
      ['POST', '/rest/offcode/activation/exchange', 400],
      ['GET', '/healthz', 200],
      ['GET', '/openapi.json', 200],
      ['GET', '/docs', 200],
      ['GET', '/docs/init.js', 200],
      ['GET', '/', 302],
    ] as const) {
      for (const { kind, target } of exampleSpellings(path)) {
        const r = await send(method, target, false);
        expect(r.status, `${method} ${target} (${kind}) → ${r.body.slice(0, 200)}`).toBe(status);
      }
    }
  });

  it('spellings the router does not normalise (trailing or duplicate slash, case, ";", %2F, dot segment) match no route', async () => {
    for (const path of ['/rest/v3/application/list', '/rest/v4/activation/init', '/demo/enrol']) {
      for (const { kind, target } of routerRefusedSpellings(path)) {
        for (const auth of [false, true]) {
          const r = await send('POST', target, auth);
          expect(r.status, `${target} (${kind}) → ${r.body.slice(0, 200)}`).toBe(404);
          expect(codeOf(r)).toBe('ERROR_NOT_FOUND');
        }
      }
    }
  });

  it('property: any accepted spelling of any protected route is refused without credentials and handled with them', async () => {
    const targets = protectedRoutes.filter((r) => !r.url.includes(':'));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...targets).chain((route) => spellingOf(route.url).map((s) => ({ route, ...s }))),
        async ({ route, target, kind }) => {
          const what = `${route.method} ${target} (${kind})`;
          expectRefused(await send(route.method, target, false), what);
          expectHandled(await send(route.method, target, true), what);
        },
      ),
      { numRuns: 400 },
    );
  });
});
