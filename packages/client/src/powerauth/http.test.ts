/**
 * The PowerAuth flow over a real socket with the platform `fetch`: what arrives at a node:http server (raw
 * body bytes, the PowerAuth headers, method, content type) is the SDK's transcript request, and the recorded
 * answers sent back are accepted. The server only replays the transcript (the /pa/v3 routes of the API are
 * tested against the token end to end where they exist).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64 } from '../../test/helpers.js';
import {
  activateInput,
  activationRandomness,
  CREATE,
  deviceClock,
  queuedRandom,
  STEPS,
  T,
} from '../../test/powerauth-transcript.js';
import { MemoryTokenStore } from '../stores/memory.js';
import { OffcodeToken } from '../token.js';

interface Arrived {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const answers: Record<string, string[]> = {
  '/pa/v3/keystore/create': [STEPS['1_keystoreCreate'].responseBody],
  '/pa/v3/activation/create': [CREATE.responseBody],
  '/pa/v3/activation/status': [
    STEPS['3_activationStatus'].responseBody,
    STEPS['5_activationStatusAfterOfflineSignature'].responseBody,
  ],
  '/pa/v3/activation/remove': [STEPS['6_activationRemove'].responseBody],
};
const arrived: Arrived[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      arrived.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const answer = answers[req.url!]?.shift();
      res.writeHead(answer ? 200 : 404, { 'content-type': 'application/json' });
      res.end(answer ?? '{"status":"ERROR","responseObject":{"code":"ERR_NOT_FOUND","message":"x"}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('PowerAuth over HTTP with the platform fetch', () => {
  it('activate, status (server ahead: resynchronised), remove: the SDK bytes arrive, the answers are accepted', async () => {
    const random = [
      ...activationRandomness(),
      b64(STEPS['3_activationStatus'].challengeBase64),
      b64(STEPS['5_activationStatusAfterOfflineSignature'].challengeBase64),
      b64(STEPS['6_activationRemove'].nonceBase64),
    ];
    const store = new MemoryTokenStore();
    const token = new OffcodeToken({ store, random: queuedRandom(random), now: deviceClock(0) });
    expect((await token.activate(activateInput(url))).activationStatus).toBe('ACTIVE');
    expect((await token.status({ remote: true })).powerAuth?.counterSync).toBe('resynchronized');
    expect((await token.remove({ pin: '1234' })).activationStatus).toBe('REMOVED');
    expect(await store.read()).toBeNull();

    expect(arrived.map((a) => [a.method, a.url])).toEqual([
      ['POST', '/pa/v3/keystore/create'],
      ['POST', '/pa/v3/activation/create'],
      ['POST', '/pa/v3/activation/status'],
      ['POST', '/pa/v3/activation/status'],
      ['POST', '/pa/v3/activation/remove'],
    ]);
    expect(arrived.map((a) => a.body)).toEqual([
      STEPS['1_keystoreCreate'].requestBody,
      CREATE.requestBody,
      STEPS['3_activationStatus'].requestBody,
      STEPS['5_activationStatusAfterOfflineSignature'].requestBody,
      '{}',
    ]);
    for (const a of arrived) {
      expect(a.headers['content-type']).toBe('application/json');
      expect(a.headers.accept).toBe('application/json');
    }
    expect(arrived[1]!.headers['x-powerauth-encryption']).toBe(
      CREATE.requestHeaderXPowerAuthEncryptionAndroid,
    );
    expect(arrived[4]!.headers['x-powerauth-authorization']).toBe(STEPS['6_activationRemove'].headerValue);
    expect(arrived[4]!.headers['x-powerauth-authorization']).toContain(T.secrets.activationId);
  });
});
