/**
 * Hermes stand-in (React Native): WebAssembly and TextDecoder deleted before the client is loaded. The
 * token must pick the noble backend and still compute the worked-example codes and activate for real.
 */
import {
  APP,
  issuePayload,
  newActivationCode,
  useServer,
  verifyOnServer,
} from '@offcode/test-harness/server';
import { payloadCase } from '@offcode/test-harness/vectors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleStateText, V3_EXAMPLE, V4_EXAMPLE } from './fixtures.js';
import { nodeHttpFetch } from './node-http-fetch.js';

const saved = { WebAssembly: globalThis.WebAssembly, TextDecoder: globalThis.TextDecoder };
let client: typeof import('../src/index.js');
// Started (in its beforeAll) before the hook below: the server keeps its own engine; only the client is
// loaded without WebAssembly and TextDecoder.
const h = useServer();

beforeAll(async () => {
  // biome-ignore lint/suspicious/noExplicitAny: removing platform globals on purpose
  const g = globalThis as any;
  delete g.WebAssembly;
  delete g.TextDecoder;
  client = await import('../src/index.js');
});

afterAll(() => {
  Object.assign(globalThis, saved);
});

describe('without WebAssembly and TextDecoder (Hermes stand-in)', () => {
  it.each([
    [3, V3_EXAMPLE],
    [4, V4_EXAMPLE],
  ] as const)('V%i worked example through the public API on the noble backend', async (protocol, ex) => {
    expect(typeof (globalThis as { WebAssembly?: unknown }).WebAssembly).toBe('undefined');
    const token = new client.OffcodeToken({ store: new client.MemoryTokenStore(exampleStateText(protocol)) });
    expect(token.engine.backend).toBe('noble');
    const qr = new TextEncoder().encode(payloadCase(ex.payloadCase)); // scanned bytes: decoded by the protocol's own UTF-8 decoder
    expect((await token.approve(qr, { pin: '1234' })).code).toBe(ex.code);
    expect((await token.approve(qr, { pin: '1235' })).code).not.toBe(ex.code);
  });

  it('activates and approves against the real server', async () => {
    const { activationCode } = await newActivationCode(h, 'hermes');
    const token = new client.OffcodeToken({ store: new client.MemoryTokenStore(), fetch: nodeHttpFetch });
    const st = await token.activate({
      serverUrl: h.url,
      applicationId: APP,
      activationCode,
      pin: '1234',
      protocol: 4,
    });
    const op = await issuePayload(h, { protocol: 4, activationId: st.activationId });
    const { code } = await token.approve(op.offlineData, { pin: '1234' });
    expect((await verifyOnServer(h, 4, st.activationId, op, code)).valid).toBe(true);
  });
});
