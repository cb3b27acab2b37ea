/**
 * A real @offcode/server on in-memory PGlite behind the real REST layer (the @offcode/fastify plugin on a
 * real Fastify listening on a random port), so the client and CLI suites test against the routes, envelope
 * (server.md §1.1), statuses (§1.3) and credentials (§1.5) an integrator serves, without depending on
 * apps/api.
 */
import { offcodeRoutes } from '@offcode/fastify';
import {
  buildOfflineBody,
  buildPayloadData,
  buildRequestData,
  type OfflinePayload,
  parseOfflinePayloadOrThrow,
  paymentOperationData,
} from '@offcode/protocol';
import { createOffcodeServer, loadConfigOrThrow, type OffcodeServer, openStorage } from '@offcode/server';
import { pgliteTemplate } from '@offcode/server/internal';
import Fastify from 'fastify';
import { afterAll, beforeAll } from 'vitest';

/** The application created at start (commit on key exchange). */
export const APP = 'offcode-demo';

/** The per-suite differences, as options rather than copies of the harness. */
export interface ServerOptions {
  /** Server environment on top of `OFFCODE_DATA_DIR=memory://`. */
  env?: Record<string, string>;
  /** `user:password`: the protected routes (`/rest/v3/`, `/rest/v4/`) then require this HTTP Basic pair. */
  credentials?: string;
  clock?: () => number;
  /** Static files served on GET (same origin as the API: the browser smoke test). */
  files?: Record<string, { contentType: string; body: string | Uint8Array }>;
}

/** A running server: its URL, the in-process services and the requests the HTTP layer received. */
export interface TestServer {
  readonly url: string;
  readonly server: OffcodeServer;
  readonly requests: { path: string; authorization: string | undefined }[];
}

export interface StartedServer extends TestServer {
  close(): Promise<void>;
}

/** `user:password` → the plugin's credential pair (the token is everything before the first colon). */
function credentialPair(credentials: string): { token: string; secret: string } {
  const colon = credentials.indexOf(':');
  if (colon <= 0) throw new Error('credentials must be "user:password"');
  return { token: credentials.slice(0, colon), secret: credentials.slice(colon + 1) };
}

export async function startServer(opts: ServerOptions = {}): Promise<StartedServer> {
  const config = loadConfigOrThrow({ OFFCODE_DATA_DIR: 'memory://', ...opts.env });
  // A memory:// database from the migrated template (server.md §5.3); with DATABASE_URL in env, ignored.
  const storage = await openStorage(config, { pgliteDump: await pgliteTemplate() });
  const server = await createOffcodeServer({ config, storage, ...(opts.clock ? { clock: opts.clock } : {}) });
  await server.applications.create({ applicationId: APP, commitOnKeyExchange: true });
  const requests: TestServer['requests'] = [];
  const app = Fastify();
  // Every request that reaches the HTTP layer, before routing or credentials (the suites count them).
  app.addHook('onRequest', async (request) => {
    requests.push({ path: request.url, authorization: request.headers.authorization });
  });
  for (const [path, file] of Object.entries(opts.files ?? {})) {
    app.get(path, async (_request, reply) =>
      reply.header('content-type', file.contentType).header('cache-control', 'no-store').send(file.body),
    );
  }
  await app.register(offcodeRoutes, {
    server,
    ...(opts.credentials ? { credentials: [credentialPair(opts.credentials)] } : {}),
  });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (e) {
    await app.close();
    await server.close();
    await storage.close();
    throw e;
  }
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the test server has no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    server,
    requests,
    async close() {
      // fetch keeps connections alive: Fastify's close drops idle ones so it does not wait for their timeout.
      await app.close();
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
