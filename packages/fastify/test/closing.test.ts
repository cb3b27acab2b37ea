/**
 * Requests that reach the plugin's routes while the instance closes (pipelined behind a request still in
 * flight, so the connection is not idle and stays open through the drain) are answered 503 OFF-0003 in the
 * PowerAuth envelope with `X-Request-Id` and `Cache-Control: no-store` (server.md §1.3), not with
 * Fastify's own JSON. Real HTTP over a raw socket, in-memory PGlite.
 */
import { connect } from 'node:net';
import {
  createOffcodeServer,
  loadConfigOrThrow,
  type OffcodeServer,
  openStorage,
  type Storage,
} from '@offcode/server';
import { pgliteTemplate } from '@offcode/server/internal';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offcodeRoutes } from '../src/index.js';

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

async function appWithSlowRoute(): Promise<{ app: FastifyInstance; port: number }> {
  const app = Fastify({ return503OnClosing: false });
  app.get('/bank/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    return { slow: true };
  });
  await app.register(offcodeRoutes, { server });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { app, port: address.port };
}

/**
 * Opens a connection with a slow request in flight, then, once `close` has begun (preClose ran, the
 * listener stopped), sends `late` on the same connection: the connection is busy, so Fastify's idle reaping
 * leaves it open and `late` reaches the router during the drain. Resolves with all it received.
 */
function lateRequest(port: number, late: string, began: Promise<void>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
    socket.on('connect', () => {
      socket.write('GET /bank/slow HTTP/1.1\r\nHost: x\r\n\r\n');
      void began.then(() => socket.write(late));
    });
  });
}

function expectRefused(text: string): void {
  const answers = text.split(/(?=HTTP\/1\.1 )/);
  expect(answers).toHaveLength(2);
  expect(answers[0]).toMatch(/^HTTP\/1\.1 200 /);
  expect(answers[0]).toContain('{"slow":true}');
  const refused = answers[1] ?? '';
  expect(refused).toMatch(/^HTTP\/1\.1 503 /);
  expect(refused).toMatch(/\r\nx-request-id: \S+/i);
  expect(refused).toMatch(/\r\ncache-control: no-store/i);
  expect(refused).toMatch(/\r\nconnection: close/i);
  expect(JSON.parse(refused.slice(refused.indexOf('\r\n\r\n') + 4))).toEqual({
    status: 'ERROR',
    responseObject: {
      code: 'OFF-0003',
      message: 'The server is shutting down; retry the request.',
      localizedMessage: 'The server is shutting down; retry the request.',
    },
  });
  expect(refused).not.toContain('Service Unavailable"');
}

describe('requests during the drain', () => {
  it('get 503 OFF-0003 in the envelope on the REST and the system routes', async () => {
    const { app, port } = await appWithSlowRoute();
    const body = '{"requestObject":{}}';
    let begin: () => void = () => undefined;
    const began = new Promise<void>((resolve) => {
      begin = resolve;
    });
    const rest = lateRequest(
      port,
      `POST /rest/v3/error/list HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      began,
    );
    const system = lateRequest(port, 'GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n', began);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const closed = app.close();
    setTimeout(begin, 50);
    expectRefused(await rest);
    expectRefused(await system);
    await closed;
  });
});
