/**
 * The Fastify application: REST routes of the method table (server.md §2), envelopes and error mapping
 * (§1.1, §1.3, answers before routing included), integration credentials decided on the matched route's
 * class (§1.5), security headers (§6.11), health, metrics, OpenAPI and its viewer (§2.6), and the demo (§7).
 * The services come from @offcode/server; this module only adds HTTP.
 */
import fastifyHelmet from '@fastify/helmet';
import { OffcodeError, type OffcodeServer, type Storage, verifyResponseFromOutcome } from '@offcode/server';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { registerDemo } from './demo/routes.js';
import { authorize, classifyRoutes } from './http/access.js';
import { parseJsonBody } from './http/body.js';
import { createCredentialChecker } from './http/credentials.js';
import { registerDocs } from './http/docs.js';
import { frameworkErrorHandler, handleClientError } from './http/early-errors.js';
import { errorEnvelope, okEnvelope, unwrapRequestObject } from './http/envelope.js';
import { mapError } from './http/errors.js';
import { type ApiMetrics, createMetrics } from './http/metrics.js';
import { requestIdFrom } from './http/request-id.js';
import { HELMET_OPTIONS } from './http/security-headers.js';
import { REST_METHODS, type RestMethod } from './rest/methods.js';
import { buildOpenApiDocument } from './rest/openapi.js';
import type { ApiSettings } from './settings.js';
import { API_VERSION } from './version.js';

export interface BuildApiOptions {
  offcode: OffcodeServer;
  storage: Storage;
  /** The application's HTTP settings (settings.ts: port, host, body limit, credentials, metrics, demo, log level). */
  settings: ApiSettings;
  /** `false` turns logging off; default: JSON lines at OFFCODE_LOG_LEVEL with secrets redacted. */
  logger?: boolean;
  /** Where log lines go (default stdout); tests capture them. */
  logStream?: { write(line: string): void };
  /** Directory of the built browser assets (`token.js`); default: this package's dist/assets. */
  assetsDir?: string;
}

/** Fields the logger must never print (server.md §6.2), wherever they appear in a logged object. */
const REDACT = [
  'req.headers.authorization',
  'headers.authorization',
  '*.signature',
  '*.authenticationCode',
  '*.activationCode',
  '*.offlineData',
  '*.nonce',
  '*.applicationSecret',
  '*.proximityCheck.seed',
  '*.requestObject',
];

/**
 * Request serializer: method, path without the query string (the token link carries the activation code in
 * `?code=`) and the request id; never headers or bodies.
 */
const requestSerializer = (req: { method?: string; url?: string; id?: unknown }) => ({
  method: req.method,
  path: (req.url ?? '').split('?')[0],
  requestId: req.id,
});

/** Longest path parameter the router matches (Fastify's default); longer → 400 ERR0024 naming `path`. */
const MAX_PARAM_LENGTH = 100;

function routeLabel(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

/** The Fastify instance: logging, request ids, router limits, and the answers written before routing. */
function createFastify(options: BuildApiOptions, config: ApiSettings): FastifyInstance {
  return Fastify({
    bodyLimit: config.bodyLimitBytes,
    logger:
      options.logger === false
        ? false
        : {
            level: config.logLevel,
            redact: { paths: REDACT, censor: '[redacted]' },
            serializers: { req: requestSerializer },
            ...(options.logStream ? { stream: options.logStream } : {}),
          },
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    // Per-request lines only at debug/trace: at info the log carries start-up, warnings and internal errors.
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
    return503OnClosing: true,
    forceCloseConnections: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrorHandler(MAX_PARAM_LENGTH),
    clientErrorHandler: handleClientError,
  });
}

export async function buildApi(options: BuildApiOptions): Promise<FastifyInstance> {
  const { offcode, settings: config } = options;
  const metrics = createMetrics();
  const status = await offcode.system.status({});
  metrics.buildInfo.set(
    { version: API_VERSION, crypto_backend: status.cryptoBackend, database: status.database },
    1,
  );

  const app = createFastify(options, config);
  // Before any route: every route gets its access class (or the build fails), see http/access.ts.
  const routes = classifyRoutes(app);
  await app.register(fastifyHelmet, HELMET_OPTIONS);

  // One raw-bytes parser for every content type: the route decides what it accepts (JSON for /rest, form
  // fields for the demo), so a wrong type becomes ERR0024 naming `body` rather than a framework 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
    reply.header('Cache-Control', 'no-store');
    (request as { startedAt?: bigint }).startedAt = process.hrtime.bigint();
  });
  const credentials = createCredentialChecker(config.integrationCredentials);
  app.addHook(
    'onRequest',
    authorize(credentials, (reply) => sendError(reply, new OffcodeError('OFF-0001'))),
  );

  app.addHook('onResponse', async (request, reply) => {
    const route = routeLabel(request);
    metrics.httpRequestsTotal.inc({ route, method: request.method, status: String(reply.statusCode) });
    const started = (request as { startedAt?: bigint }).startedAt;
    if (started !== undefined) {
      metrics.httpRequestDuration.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const mapped = mapError(error, String(request.id), config.bodyLimitBytes);
    if (mapped.internal) {
      const cause = (error as { cause?: unknown }).cause;
      request.log.error({ err: cause ?? error, requestId: request.id }, 'internal error');
    }
    if (mapped.error.code === 'OFF-0201') metrics.dbBusyTotal.inc();
    return sendError(reply, mapped.error);
  });

  // Unmatched requests reach no handler: 405 with `Allow` when another method matches the same target.
  app.setNotFoundHandler((request, reply) => {
    const allowed = routes.allowedMethods(request.url);
    if (allowed.length > 0) {
      reply.header('Allow', allowed.join(', '));
      return sendError(
        reply,
        new OffcodeError('OFF-0002', `Method ${request.method} is not allowed on this path.`),
      );
    }
    return sendError(reply, new OffcodeError('ERROR_NOT_FOUND'));
  });

  for (const method of REST_METHODS) registerRestMethod(app, offcode, method, metrics);
  registerSystemRoutes(app, offcode, metrics, credentials.enabled, config.metricsEnabled);

  if (config.demoEnabled) {
    await registerDemo(app, {
      offcode,
      storage: options.storage,
      metrics,
      application: config.demoApplication,
      ...(options.assetsDir ? { assetsDir: options.assetsDir } : {}),
    });
    app.get('/', async (_request, reply) => reply.redirect('/demo', 302));
  }

  return app;
}

/** Health, metrics, the OpenAPI document and its viewer (server.md §2.6). */
function registerSystemRoutes(
  app: FastifyInstance,
  offcode: OffcodeServer,
  metrics: ApiMetrics,
  basicAuth: boolean,
  metricsEnabled: boolean,
): void {
  app.get('/healthz', async (_request, reply) => {
    try {
      await offcode.system.health();
      return reply.type('text/plain; charset=utf-8').send('ok');
    } catch {
      return reply.code(503).type('text/plain; charset=utf-8').send('database unavailable');
    }
  });

  if (metricsEnabled) {
    app.get('/metrics', async (_request, reply) =>
      reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render()),
    );
  }

  const openapi = buildOpenApiDocument(offcode, {
    version: API_VERSION,
    basicAuth,
    metricsEnabled,
  });
  app.get('/openapi.json', async () => openapi);
  registerDocs(app);
}

function sendError(reply: FastifyReply, error: OffcodeError): FastifyReply {
  return reply
    .code(error.httpStatus)
    .type('application/json; charset=utf-8')
    .send(errorEnvelope(error.code, error.message));
}

function registerRestMethod(
  app: FastifyInstance,
  offcode: OffcodeServer,
  method: RestMethod,
  metrics: ApiMetrics,
): void {
  const handler = async (request: FastifyRequest) => {
    const body =
      request.method === 'GET'
        ? undefined
        : parseJsonBody(request.body as Buffer | undefined, request.headers['content-type']);
    const requestObject = unwrapRequestObject(body, method.fieldless);
    const offline = method.offline;
    if (!offline) return okEnvelope(await method.call(offcode, requestObject));
    if (offline.kind !== 'verify') {
      const result = await method.call(offcode, requestObject);
      const proximity =
        typeof requestObject === 'object' && requestObject !== null && 'proximityCheck' in requestObject;
      metrics.payloadCreatedTotal.inc({
        protocol: String(offline.version),
        kind: offline.kind,
        proximity: String(proximity),
      });
      return okEnvelope(result);
    }
    const started = process.hrtime.bigint();
    const version = offline.version;
    const protocol = String(version);
    try {
      // The protocol-neutral outcome carries what metrics need (result kind, window position, a block made
      // by this very request); the wire shape is derived from it by the service package.
      const outcome = await offcode.offline.verifyOutcome(version, requestObject);
      metrics.verifyTotal.inc({ protocol, outcome: outcome.result });
      if (outcome.matchedPosition !== null) metrics.verifyWindowPosition.observe({}, outcome.matchedPosition);
      if (outcome.blocked) {
        metrics.activationBlockedTotal.inc({
          reason: outcome.blocked.reason,
          temporary: String(outcome.blocked.temporary),
        });
      }
      return okEnvelope(verifyResponseFromOutcome(version, outcome));
    } catch (error) {
      const code = error instanceof OffcodeError ? error.code : '';
      metrics.verifyTotal.inc({
        protocol,
        outcome: code.startsWith('OFF-01') ? 'registry_rejected' : 'error',
      });
      throw error;
    } finally {
      metrics.verifyDuration.observe({ protocol }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  for (const path of method.paths) {
    app.post(path, handler);
    if (method.get) app.get(path, handler);
  }
}
