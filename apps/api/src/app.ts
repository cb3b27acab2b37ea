/**
 * The Fastify application: the instance (logging, request ids, router limits, the answers written before
 * routing), helmet's security headers (server.md §6.11), the PowerAuth-compatible routes of @offcode/fastify
 * (REST, health, metrics, OpenAPI and its viewer, credentials on the matched route's class), and this
 * application's own routes: the demo (§7) and `/`. Its own routes and unknown paths answer in the same
 * envelope, with the same headers, metrics and credentials as the plugin's.
 */
// The route option `helmet` (the token page's policy) keeps @fastify/helmet's type; addSecurityHeaders reads it.
import type {} from '@fastify/helmet';
import {
  acceptRawBodies,
  addOffcodeRequestHooks,
  addSecurityHeaders,
  authorizeHook,
  classifyRoutes,
  createCredentialChecker,
  createOffcodeMetrics,
  frameworkErrorHandler,
  handleClientError,
  OFFCODE_LOG_REDACT,
  type OffcodeMetrics,
  offcodeErrorHandler,
  offcodeNotFoundHandler,
  offcodeRoutes,
  requestIdFrom,
  withOfflineMetrics,
} from '@offcode/fastify';
import type { OffcodeServer } from '@offcode/server';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { registerDemo } from './demo/routes.js';
import { APP_ROUTE_ACCESS } from './http/access.js';
import type { ApiSettings } from './settings.js';
import { API_VERSION } from './version.js';

export interface BuildApiOptions {
  offcode: OffcodeServer;
  /** The application's HTTP settings (settings.ts: port, host, body limit, credentials, metrics, demo, log level). */
  settings: ApiSettings;
  /** `false` turns logging off; default: JSON lines at OFFCODE_LOG_LEVEL with secrets redacted. */
  logger?: boolean;
  /** Where log lines go (default stdout); tests capture them. */
  logStream?: { write(line: string): void };
  /** Directory of the built browser assets (`token.js`); default: this package's dist/assets. */
  assetsDir?: string;
}

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

/** The Fastify instance: logging, request ids, router limits, and the answers written before routing. */
function createFastify(options: BuildApiOptions, settings: ApiSettings): FastifyInstance {
  return Fastify({
    bodyLimit: settings.bodyLimitBytes,
    logger:
      options.logger === false
        ? false
        : {
            level: settings.logLevel,
            redact: { paths: [...OFFCODE_LOG_REDACT], censor: '[redacted]' },
            serializers: { req: requestSerializer },
            ...(options.logStream ? { stream: options.logStream } : {}),
          },
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    // Per-request lines only at debug/trace: at info the log carries start-up, warnings and internal errors.
    logController: new LogController({
      disableRequestLogging: settings.logLevel !== 'debug' && settings.logLevel !== 'trace',
    }),
    // The plugin answers requests that arrive during the drain with 503 OFF-0003 in the envelope (Fastify's
    // own 503 would be outside it); the demo serves them normally until the sockets close.
    return503OnClosing: false,
    forceCloseConnections: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrorHandler(MAX_PARAM_LENGTH),
    clientErrorHandler: handleClientError,
  });
}

export async function buildApi(options: BuildApiOptions): Promise<FastifyInstance> {
  const { offcode, settings } = options;
  const metrics = createOffcodeMetrics();
  const app = createFastify(options, settings);
  // Before any route: every route gets its access class (the plugin's carry theirs) or the build fails.
  const routes = classifyRoutes(app, APP_ROUTE_ACCESS);
  // helmet's headers, recorded once per route instead of a helmet instance per request (@fastify/helmet).
  addSecurityHeaders(app);

  // This application's own routes and unknown paths: raw bodies (the demo parses its forms), the headers
  // and metrics of every answer, and the envelope for errors, 404 and 405.
  acceptRawBodies(app);
  addOffcodeRequestHooks(app, metrics);
  app.setErrorHandler(offcodeErrorHandler(metrics));
  app.setNotFoundHandler(offcodeNotFoundHandler(routes));

  await app.register(offcodeRoutes, {
    server: offcode,
    credentials: settings.integrationCredentials,
    mount: { metrics: settings.metricsEnabled },
    metrics,
    version: API_VERSION,
  });

  if (settings.demoEnabled) await registerProtectedDemo(app, options, metrics);
  return app;
}

/** The demo in its own context behind the integration credentials (server.md §1.5), and `/` → `/demo`. */
async function registerProtectedDemo(
  app: FastifyInstance,
  options: BuildApiOptions,
  metrics: OffcodeMetrics,
): Promise<void> {
  const { offcode, settings } = options;
  await app.register(async (demo) => {
    demo.addHook('onRequest', authorizeHook(createCredentialChecker(settings.integrationCredentials)));
    await registerDemo(demo, {
      // The demo's verifications, payloads and blocks count in the same offcode_* series as the REST methods.
      offcode: withOfflineMetrics(offcode, metrics),
      metrics,
      application: settings.demoApplication,
      ...(options.assetsDir ? { assetsDir: options.assetsDir } : {}),
    });
  });
  app.get('/', async (_request, reply) => reply.redirect('/demo', 302));
}
