/**
 * The probes and the pool gauges over real HTTP (server.md §2.6): `/livez` 200 while the process serves (also
 * during the drain), `/readyz` 200 only when the database answers, no migration is pending and the instance
 * is not closing (503 in the envelope otherwise); `/metrics` with prom-client's process metrics and the pool
 * gauges. PGlite in memory and PostgreSQL (a fresh schema; "database down" through a TCP proxy the test
 * cuts and restores).
 */
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createOffcodeServer, loadConfigOrThrow, type OffcodeServer, type Storage } from '@offcode/server';
import { migrateSets, openStorageUnmigrated, SERVER_MIGRATIONS } from '@offcode/server/internal';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offcodeRoutes } from '../src/index.js';

const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function serve(server: OffcodeServer): Promise<{ app: FastifyInstance; base: string; port: number }> {
  const app = Fastify({ return503OnClosing: false });
  await app.register(offcodeRoutes, { server });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { app, base: `http://127.0.0.1:${address.port}`, port: address.port };
}

async function get(base: string, path: string): Promise<{ status: number; body: unknown; text: string }> {
  const r = await fetch(`${base}${path}`);
  const text = await r.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // /metrics is text
  }
  return { status: r.status, body, text };
}

const notReady = (code: string, message: string | RegExp) => ({
  status: 'ERROR',
  responseObject: { code, message: expect.stringMatching(message), localizedMessage: expect.any(String) },
});

const kinds = [
  { name: 'pglite', schema: null },
  { name: 'postgresql', schema: `oc_probe_${randomBytes(5).toString('hex')}` },
] as const;

describe.each(kinds)('probes on $name', ({ name, schema }) => {
  let storage: Storage;
  let server: OffcodeServer;
  let api: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    if (schema) await admin(`CREATE SCHEMA ${schema}`);
    const config = loadConfigOrThrow({
      ...(schema ? { DATABASE_URL } : { OFFCODE_DATA_DIR: 'memory://' }),
      OFFCODE_DB_POOL_MAX: '3',
      OFFCODE_TEMP_BLOCK_SWEEP_MS: '0',
    });
    // Not migrated: an integrator who deploys the code before the migration job has run.
    storage = await openStorageUnmigrated(config, schema ? { schema } : {});
    server = await createOffcodeServer({ config, storage, skipKeyCheck: true });
    api = await serve(server);
  });
  afterAll(async () => {
    await api?.app.close();
    await storage?.close();
    if (schema) await admin(`DROP SCHEMA ${schema} CASCADE`);
  });

  it('pending migrations: live, not ready (503 OFF-0201 naming them); migrated: ready', async () => {
    expect(await get(api.base, '/livez')).toMatchObject({
      status: 200,
      body: { status: 'OK', responseObject: { live: true } },
    });
    const before = await get(api.base, '/readyz');
    expect(before.status).toBe(503);
    expect(before.body).toEqual(
      notReady('OFF-0201', /^Not ready: migrations are pending: server\/1 initial, server\/2 enrollment\.$/),
    );
    await migrateSets(storage, [SERVER_MIGRATIONS]);
    expect(await get(api.base, '/readyz')).toMatchObject({
      status: 200,
      body: { status: 'OK', responseObject: { ready: true, database: true, pendingMigrations: [] } },
    });
  });

  it('/metrics: default process metrics and the pool gauges of this storage', async () => {
    const r = await get(api.base, '/metrics');
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(r.text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(r.text).toMatch(new RegExp(`^offcode_db_pool_max ${name === 'pglite' ? 1 : 3}$`, 'm'));
    expect(r.text).toMatch(/^offcode_db_pool_connections [1-9]\d*$/m);
    expect(r.text).toMatch(/^offcode_db_pool_waiting 0$/m);
    expect(r.text).toMatch(/^offcode_http_requests_total\{route="\/readyz",method="GET",status="503"\} 1$/m);
  });
});

/** A TCP proxy to the local PostgreSQL that the test can cut (every connection dropped, port closed) and restore. */
function pgProxy(): { start(port?: number): Promise<number>; cut(): Promise<void> } {
  const target = new URL(DATABASE_URL);
  let listener: Server | null = null;
  const sockets = new Set<Socket>();
  return {
    start(port = 0) {
      listener = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      return new Promise((resolve) => {
        listener?.listen(port, '127.0.0.1', () => {
          const a = listener?.address();
          resolve(typeof a === 'object' && a ? a.port : port);
        });
      });
    },
    cut() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
    },
  };
}

describe('readiness when PostgreSQL goes away and comes back', () => {
  const schema = `oc_probe_${randomBytes(5).toString('hex')}`;
  const proxy = pgProxy();
  let storage: Storage;
  let api: Awaited<ReturnType<typeof serve>>;
  let port: number;
  beforeAll(async () => {
    await admin(`CREATE SCHEMA ${schema}`);
    port = await proxy.start();
    const url = new URL(DATABASE_URL);
    url.host = `127.0.0.1:${port}`;
    const config = loadConfigOrThrow({ DATABASE_URL: url.toString(), OFFCODE_TEMP_BLOCK_SWEEP_MS: '0' });
    storage = await openStorageUnmigrated(config, { schema });
    await migrateSets(storage, [SERVER_MIGRATIONS]);
    api = await serve(await createOffcodeServer({ config, storage }));
  });
  afterAll(async () => {
    await api?.app.close();
    await storage?.close();
    await proxy.cut();
    await admin(`DROP SCHEMA ${schema} CASCADE`);
  });

  it('ready → database unreachable: 503 OFF-0201, still live → reachable again: ready', async () => {
    expect((await get(api.base, '/readyz')).status).toBe(200);
    await proxy.cut();
    const down = await get(api.base, '/readyz');
    expect(down.status).toBe(503);
    expect(down.body).toEqual(notReady('OFF-0201', /^Not ready: the database is unreachable\.$/));
    expect((await get(api.base, '/livez')).status).toBe(200);
    await proxy.start(port);
    expect((await get(api.base, '/readyz')).status).toBe(200);
  });
});

/**
 * During the drain: a probe pipelined behind a slow request on one keep-alive connection reaches the router
 * after `close()` began (see closing.test.ts).
 */
describe('probes during the drain', () => {
  it('/livez answers 200, /readyz 503 OFF-0003', async () => {
    const config = loadConfigOrThrow({ OFFCODE_DATA_DIR: 'memory://', OFFCODE_TEMP_BLOCK_SWEEP_MS: '0' });
    const storage = await openStorageUnmigrated(config);
    await migrateSets(storage, [SERVER_MIGRATIONS]);
    const app = Fastify({ return503OnClosing: false });
    app.get('/bank/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return { slow: true };
    });
    await app.register(offcodeRoutes, { server: await createOffcodeServer({ config, storage }) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    let begin: () => void = () => undefined;
    const began = new Promise<void>((resolve) => {
      begin = resolve;
    });
    const late = (path: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = connect(address.port, '127.0.0.1');
        let text = '';
        socket.on('data', (chunk: Buffer) => {
          text += chunk.toString('latin1');
        });
        socket.on('error', reject);
        socket.on('close', () => resolve(text));
        socket.on('connect', () => {
          socket.write('GET /bank/slow HTTP/1.1\r\nHost: x\r\n\r\n');
          // The last request of the connection: the server closes it after answering.
          void began.then(() => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        });
      });
    const live = late('/livez');
    const ready = late('/readyz');
    await new Promise((resolve) => setTimeout(resolve, 150));
    const closed = app.close();
    setTimeout(begin, 50);
    const [liveText, readyText] = [await live, await ready];
    await closed;
    await storage.close();
    const second = (text: string): string => text.split(/(?=HTTP\/1\.1 )/)[1] ?? '';
    expect(second(liveText)).toMatch(/^HTTP\/1\.1 200 /);
    expect(second(liveText)).toContain('{"status":"OK","responseObject":{"live":true}}');
    const refused = second(readyText);
    expect(refused).toMatch(/^HTTP\/1\.1 503 /);
    expect(JSON.parse(refused.slice(refused.indexOf('\r\n\r\n') + 4))).toEqual(
      notReady('OFF-0003', 'The server is shutting down; retry the request.'),
    );
  });
});
