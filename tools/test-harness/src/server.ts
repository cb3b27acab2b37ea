/**
 * A real @offcode/server on in-memory PGlite, plus a tiny node:http bridge that exposes the two
 * device-facing routes the token calls (exchange, activation status), so the client and CLI suites test
 * against the real services without depending on apps/api. The bridge speaks the wire envelope of
 * server.md §1.1 and HTTP Basic of §1.5 when `credentials` is given.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  buildOfflineBody,
  buildPayloadData,
  buildRequestData,
  type OfflinePayload,
  parseOfflinePayloadOrThrow,
  paymentOperationData,
} from '@offcode/protocol';
import {
  createOffcodeServer,
  isOffcodeError,
  loadConfigOrThrow,
  type OffcodeServer,
  openStorage,
} from '@offcode/server';
import { afterAll, beforeAll } from 'vitest';

/** The application created at start (commit on key exchange). */
export const APP = 'offcode-demo';

/** The per-suite differences, as options rather than copies of the harness. */
export interface ServerOptions {
  /** Server environment on top of `OFFCODE_DATA_DIR=memory://`. */
  env?: Record<string, string>;
  /** `user:password`: the `/rest/v3/` routes then require this HTTP Basic pair (the CLI's `--remote`). */
  credentials?: string;
  clock?: () => number;
  /** Static files served on GET (same origin as the API: the browser smoke test). */
  files?: Record<string, { contentType: string; body: string | Uint8Array }>;
}

/** A running server: its bridge URL, the in-process services and the requests the bridge received. */
export interface TestServer {
  readonly url: string;
  readonly server: OffcodeServer;
  readonly requests: { path: string; authorization: string | undefined }[];
}

export interface StartedServer extends TestServer {
  close(): Promise<void>;
}

const notFound = { status: 'ERROR', responseObject: { code: 'ERROR_NOT_FOUND', message: 'not found' } };
const unauthorized = { status: 'ERROR', responseObject: { code: 'OFF-0001', message: 'unauthorized' } };
const internal = { status: 'ERROR', responseObject: { code: 'ERR0000', message: 'internal error' } };

export async function startServer(opts: ServerOptions = {}): Promise<StartedServer> {
  const config = loadConfigOrThrow({ OFFCODE_DATA_DIR: 'memory://', ...opts.env });
  const storage = await openStorage(config);
  const server = await createOffcodeServer({ config, storage, ...(opts.clock ? { clock: opts.clock } : {}) });
  await server.applications.create({ applicationId: APP, commitOnKeyExchange: true });
  const requests: TestServer['requests'] = [];
  const routes: Record<string, (req: unknown) => Promise<unknown>> = {
    '/rest/offcode/activation/exchange': (r) => server.activations.exchange(r),
    '/rest/v3/activation/status': (r) => server.activations.status(r),
  };
  const expectedAuthorization = opts.credentials
    ? `Basic ${Buffer.from(opts.credentials).toString('base64')}`
    : undefined;
  const http: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', async () => {
      requests.push({ path: req.url ?? '', authorization: req.headers.authorization });
      const send = (status: number, obj: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(obj));
      };
      const file = req.method === 'GET' ? opts.files?.[req.url ?? ''] : undefined;
      if (file) {
        res.writeHead(200, { 'content-type': file.contentType, 'cache-control': 'no-store' });
        return res.end(file.body);
      }
      const route = routes[req.url ?? ''];
      if (req.method !== 'POST' || !route) return send(404, notFound);
      if (
        expectedAuthorization &&
        req.url?.startsWith('/rest/v3/') &&
        req.headers.authorization !== expectedAuthorization
      ) {
        return send(401, unauthorized);
      }
      try {
        const parsed = JSON.parse(body) as { requestObject?: unknown };
        send(200, { status: 'OK', responseObject: await route(parsed.requestObject) });
      } catch (e) {
        // The statuses of server.md §1.3 (the real mapping is httpStatusOf of @offcode/fastify).
        if (isOffcodeError(e)) {
          const status = e.code === 'ERR0000' ? 500 : e.kind === 'unavailable' ? 503 : 400;
          const responseObject = { code: e.code, message: e.message, localizedMessage: e.message };
          return send(status, { status: 'ERROR', responseObject });
        }
        send(500, internal);
      }
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    server,
    requests,
    async close() {
      // fetch keeps connections alive: drop them so close() does not wait for their idle timeout.
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
      await server.close();
      await storage.close();
    },
  };
}

/**
 * One server for the calling test file (or `describe`): started in a `beforeAll`, closed in an `afterAll`.
 * The returned handle works inside tests and later hooks. `opts` may be a function, called in that
 * `beforeAll`, so it runs after the hooks registered before `useServer` (the browser test checks its
 * bundle exists before reading it).
 */
export function useServer(opts: ServerOptions | (() => ServerOptions) = {}): TestServer {
  let started: StartedServer | undefined;
  beforeAll(async () => {
    started = await startServer(typeof opts === 'function' ? opts() : opts);
  });
  afterAll(async () => {
    await started?.close();
    started = undefined;
  });
  const current = (): StartedServer => {
    if (!started)
      throw new Error('the test server runs between beforeAll and afterAll: use it in tests or hooks');
    return started;
  };
  return {
    get url() {
      return current().url;
    },
    get server() {
      return current().server;
    },
    get requests() {
      return current().requests;
    },
  };
}

export async function newActivationCode(
  h: TestServer,
  userId = 'alice',
): Promise<{ activationId: string; activationCode: string }> {
  const r = await h.server.activations.init({ userId, applicationId: APP });
  return { activationId: r.activationId, activationCode: r.activationCode };
}

export interface IssuedOperation {
  offlineData: string;
  operationId: string;
  operationData: string;
  nonce: string;
  seed?: string;
  payload: OfflinePayload;
}

let opCounter = 0;

/** Creates a payment operation payload through the server's create services. */
export async function issuePayload(
  h: TestServer,
  input: { protocol: 3 | 4; activationId?: string; biometry?: boolean; proximity?: boolean; amount?: string },
): Promise<IssuedOperation> {
  const operationId = `op-${Date.now()}-${opCounter++}`;
  const operationData = paymentOperationData({
    amount: input.amount ?? '100',
    currency: 'EUR',
    iban: 'CZ2730300000001165254011',
    note: 'Zaplaceno ✓',
  });
  const data = buildPayloadData({
    operationId,
    title: 'Payment',
    message: `Pay ${input.amount ?? '100'} EUR`,
    operationData,
    flags: { biometricsAllowed: input.biometry ?? false },
  });
  const seed = input.proximity
    ? Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64')
    : undefined;
  const res = input.activationId
    ? await h.server.offline.createPersonalized(input.protocol, {
        activationId: input.activationId,
        data,
        ...(seed ? { proximityCheck: { seed, stepLength: 30 } } : {}),
      })
    : await h.server.offline.createNonPersonalized(input.protocol, { applicationId: APP, data });
  return {
    offlineData: res.offlineData,
    operationId,
    operationData,
    nonce: res.nonce,
    ...(seed ? { seed } : {}),
    payload: parseOfflinePayloadOrThrow(res.offlineData),
  };
}

/** Verifies a code on the server as the bank's back end would; returns validity and the response. */
export async function verifyOnServer(
  h: TestServer,
  protocol: 3 | 4,
  activationId: string,
  op: IssuedOperation,
  code: string,
  opts: { allowBiometry?: boolean } = {},
): Promise<{ valid: boolean; type: string; remainingAttempts: number; activationStatus: string }> {
  const data = buildRequestData({
    nonce: op.nonce,
    body: buildOfflineBody({ operationId: op.operationId, operationData: op.operationData }),
  });
  const common = {
    activationId,
    data,
    allowBiometry: opts.allowBiometry ?? false,
    ...(op.seed ? { proximityCheck: { seed: op.seed, stepLength: 30, stepCount: 1 } } : {}),
  };
  if (protocol === 3) {
    const { signatureValid, signatureType, remainingAttempts, activationStatus } =
      await h.server.offline.verify(3, { ...common, signature: code });
    return { valid: signatureValid, type: signatureType, remainingAttempts, activationStatus };
  }
  const { authenticationValid, authenticationCodeType, remainingAttempts, activationStatus } =
    await h.server.offline.verify(4, { ...common, authenticationCode: code });
  return { valid: authenticationValid, type: authenticationCodeType, remainingAttempts, activationStatus };
}
