/**
 * First-party internals (apps/api and this repository's tests): the method and access tables, the OpenAPI
 * generator and the pure pieces of the request pipeline. No compatibility promise.
 */
export { OFFCODE_ROUTE_ACCESS, type RegisteredRoute, registeredRoutes } from './access.js';
export { isJsonContentType, parseJsonBody } from './body.js';
export { parseBasic } from './credentials.js';
export { clientErrorAnswer, frameworkErrorAnswer, rawErrorResponse } from './early-errors.js';
export { unwrapRequestObject } from './envelope.js';
export { listAllErrors } from './errors.js';
export { REST_METHODS, type RestGroup, type RestMethod, restGroupOf } from './groups/rest-methods.js';
export { SYSTEM_ROUTES } from './groups/system-routes.js';
export { type MappedError, mapError } from './map-error.js';
export { buildOpenApiDocument, type OpenApiOptions } from './openapi.js';
export { MOUNT_KEYS, resolveOptions } from './options.js';
