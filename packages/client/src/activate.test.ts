import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { exampleStateText } from '../test/fixtures.js';
import { fails } from '../test/helpers.js';
import { encodeActivationCode } from './activation-code.js';
import { MemoryTokenStore } from './stores/memory.js';
import { OffcodeToken } from './token.js';

const CODE = encodeActivationCode(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A real HTTP server on 127.0.0.1 answering with `handler`; records request bodies. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      bodies.push({ url: req.url, headers: req.headers, body: body ? JSON.parse(body) : null });
      handler(req, res, body);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

const noNetwork = () => {
  throw new Error('the network must not be used');
};

describe('activate: validation before any network call', () => {
  const base = {
    serverUrl: 'http://127.0.0.1:1',
    applicationId: 'offcode-demo',
    activationCode: CODE,
    pin: '1234',
  };
  it.each([
    ['ftp URL', { serverUrl: 'ftp://x' }],
    ['URL with query', { serverUrl: 'http://x/?a=1' }],
    ['not a URL', { serverUrl: 'nope' }],
    ['empty application', { applicationId: '' }],
    ['long application', { applicationId: 'x'.repeat(256) }],
    ['bad CRC', { activationCode: 'AAAAA-AAAAA-AAAAA-AAAAB' }],
    ['short PIN', { pin: '123' }],
    ['protocol 5', { protocol: 5 }],
    ['master key not a point', { masterPublicKey: 'AAAA' }],
    ['biometry flag not boolean', { enableBiometry: 'yes' }],
  ])('%s → INVALID_INPUT', async (_n, patch) => {
    const token = new OffcodeToken({ store: new MemoryTokenStore(), fetch: noNetwork });
    await fails(token.activate({ ...base, ...(patch as object) } as never), 'INVALID_INPUT');
  });

  it('an existing token → ALREADY_ACTIVATED, and the activation code is not spent', async () => {
    const store = new MemoryTokenStore(exampleStateText(3));
    await fails(new OffcodeToken({ store, fetch: noNetwork }).activate(base), 'ALREADY_ACTIVATED');
  });

  it('no usable CSPRNG → CRYPTO_UNAVAILABLE before the network call', async () => {
    const failing = () => {
      throw new Error('no entropy');
    };
    await fails(
      new OffcodeToken({ store: new MemoryTokenStore(), fetch: noNetwork, random: failing }).activate(base),
      'CRYPTO_UNAVAILABLE',
    );
    const short = (n: number) => new Uint8Array(n - 1);
    await fails(
      new OffcodeToken({ store: new MemoryTokenStore(), fetch: noNetwork, random: short }).activate(base),
      'CRYPTO_UNAVAILABLE',
    );
  });

  it('a store that cannot be locked fails before the network call', async () => {
    class Unlockable extends MemoryTokenStore {
      override lock<T>(): Promise<T> {
        return Promise.reject(new Error('EROFS'));
      }
    }
    await fails(
      new OffcodeToken({ store: new Unlockable(), fetch: noNetwork }).activate(base),
      'STORAGE_FAILURE',
    );
  });
});

describe('activate: transport and response failures (real HTTP server)', () => {
  const input = (url: string) => ({
    serverUrl: url,
    applicationId: 'offcode-demo',
    activationCode: CODE.toLowerCase(),
    pin: '1234',
  });

  it('the device key pair comes from the injected random source', async () => {
    const { url, bodies } = await serve((_q, res) =>
      res.end('{"status":"ERROR","responseObject":{"code":"ERR0009"}}'),
    );
    const fixed = (n: number) => new Uint8Array(n).fill(7);
    for (let i = 0; i < 2; i++) {
      await fails(
        new OffcodeToken({ store: new MemoryTokenStore(), random: fixed }).activate(input(url)),
        'ACTIVATION_FAILED',
      );
    }
    const keys = (bodies as { body: { requestObject: { devicePublicKey: string } } }[]).map(
      (b) => b.body.requestObject.devicePublicKey,
    );
    expect(keys[0]).toBe(keys[1]);
    expect(Buffer.from(keys[0]!, 'base64').length).toBe(65);
  });

  it('sends the exchange request of server.md §2.4', async () => {
    const { url, bodies } = await serve((_q, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ERROR', responseObject: { code: 'ERR0009', message: 'x' } }));
    });
    const e = await fails(
      new OffcodeToken({ store: new MemoryTokenStore() }).activate({ ...input(url), protocol: 4 }),
      'ACTIVATION_FAILED',
    );
    expect(e.serverCode).toBe('ERR0009');
    const req = bodies[0] as {
      url: string;
      headers: Record<string, string>;
      body: { requestObject: Record<string, unknown> };
    };
    expect(req.url).toBe('/rest/offcode/activation/exchange');
    expect(req.headers['content-type']).toBe('application/json');
    const ro = req.body.requestObject;
    expect(Object.keys(ro)).toEqual([
      'activationCode',
      'protocolVersion',
      'devicePublicKey',
      'applicationId',
      'enableBiometry',
    ]);
    expect(ro.activationCode).toBe(CODE);
    expect(ro.protocolVersion).toBe(4);
    expect(Buffer.from(ro.devicePublicKey as string, 'base64').length).toBe(97);
    expect(ro.enableBiometry).toBe(false);
  });

  it('connection refused → NETWORK_ERROR', async () => {
    const { url } = await serve(() => undefined);
    await new Promise((r) => servers.pop()!.close(r));
    await fails(new OffcodeToken({ store: new MemoryTokenStore() }).activate(input(url)), 'NETWORK_ERROR');
  });

  it('non-JSON answer → NETWORK_ERROR', async () => {
    const { url } = await serve((_q, res) => res.end('<html>proxy error</html>'));
    await fails(new OffcodeToken({ store: new MemoryTokenStore() }).activate(input(url)), 'NETWORK_ERROR');
  });

  it('no answer within the timeout → NETWORK_ERROR', async () => {
    const { url } = await serve(() => undefined); // never answers
    const token = new OffcodeToken({ store: new MemoryTokenStore(), timeoutMs: 100 });
    const e = await fails(token.activate(input(url)), 'NETWORK_ERROR');
    expect(e.message).toMatch(/did not answer within 100 ms/);
  });

  it.each([
    ['activationId not a UUID', { activationId: 'x' }],
    ['protocol mismatch', { protocolVersion: 4 }],
    ['server key off the curve', { serverPublicKey: Buffer.alloc(65, 4).toString('base64') }],
    ['short ctrData', { ctrData: Buffer.alloc(15).toString('base64') }],
    ['status CREATED', { activationStatus: 'CREATED' }],
    ['component length 9', { offlineComponentLength: 9 }],
  ])('invalid exchange response (%s) → ACTIVATION_FAILED, nothing stored', async (_n, patch) => {
    const good = {
      activationId: '3f0c6a4e-8f1b-4b7a-9c2d-5e6f7a8b9c0d',
      userId: 'alice',
      activationStatus: 'ACTIVE',
      protocolVersion: 3,
      serverPublicKey:
        'BP0G8/tV/kDLDaGCQmoeaOAabLQXjYF/6lgqVpUI3cS6FTTtIzPzOY137vyZFSthKorKvq0iih1PLUeeEFUkAGE=',
      ctrData: 'V4uAF/PstuQoGNnNTifHuw==',
      masterPublicKey:
        'BGoJOebdNAUiJAsiVDwJ3sma6PlWRx68r2dB5hc/G5sZiXrBtjeqX4aNZTSoN9ITgO0QK8G58vXdQtMFvknPoQ8=',
      offlineComponentLength: 8,
    };
    const { url } = await serve((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'OK', responseObject: { ...good, ...patch } }));
    });
    const store = new MemoryTokenStore();
    const e = await fails(new OffcodeToken({ store }).activate(input(url)), 'ACTIVATION_FAILED');
    expect(e.message).toMatch(/invalid exchange response/);
    expect(await store.read()).toBeNull();
  });
});
