/**
 * @offcode/fastify: the PowerAuth-compatible REST layer of Offcode as a Fastify plugin (`offcodeRoutes`),
 * and the helpers an application uses for what only the Fastify instance can own (answers before routing,
 * request ids, its own routes behind the same credentials, the envelope for its own unknown paths).
 */
export {
  authorizeHook,
  classifyRoutes,
  ROUTE_ACCESS_CLASSES,
  type RouteAccess,
  type RouteMirror,
} from './access.js';
export {
  type CredentialChecker,
  createCredentialChecker,
  type IntegrationCredential,
} from './credentials.js';
export { frameworkErrorHandler, handleClientError } from './early-errors.js';
export {
  type ErrorEnvelope,
  type ErrorObject,
  errorEnvelope,
  type OkEnvelope,
  okEnvelope,
} from './envelope.js';
export {
  HTTP_ERROR_CODES,
  httpStatusOf,
  OffcodeHttpError,
  type OffcodeHttpErrorCode,
} from './errors.js';
export {
  acceptRawBodies,
  addOffcodeRequestHooks,
  offcodeErrorHandler,
  offcodeNotFoundHandler,
} from './hooks.js';
export { OFFCODE_LOG_REDACT } from './logging.js';
export {
  type CreateMetricsOptions,
  createMetrics as createOffcodeMetrics,
  type OffcodeMetrics,
} from './metrics.js';
export { withOfflineMetrics } from './offline-metrics.js';
export {
  type MountKey,
  type OffcodeMount,
  type OffcodeRoutesOptions,
  OffcodeRoutesOptionsError,
} from './options.js';
export { offcodeRoutes } from './plugin.js';
export { sendOffcodeError } from './reply.js';
export { requestIdFrom } from './request-id.js';
export { addSecurityHeaders, OFFCODE_HELMET_OPTIONS, SECURITY_HEADERS } from './security-headers.js';
