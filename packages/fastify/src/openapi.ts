/**
 * OpenAPI 3.0.3 document generated from the REST method table and the very schemas that validate the
 * requests (`schema.json()` of @offcode/server) and describe the responses (`responseSchemas`). Lists every
 * route the plugin serves with its options (mounted groups, prefix); the envelopes and the error object are
 * this package's (the wire envelope belongs to the HTTP layer).
 */
import type { OffcodeServer } from '@offcode/server';
import { type JsonSchema, responseSchemas } from '@offcode/server/internal';
import { POWERAUTH_SCHEMAS, POWERAUTH_TAG, powerAuthPaths } from './groups/powerauth-openapi.js';
import { REST_METHODS, restGroupOf } from './groups/rest-methods.js';
import type { MountKey } from './options.js';

const ERROR_CODES_BY_STATUS: Record<string, string> = {
  '400': 'ERR00xx input, state and key errors; OFF-01xx payload-registry rejections',
  '401': 'OFF-0001 integration credentials missing or wrong',
  '404': 'ERROR_NOT_FOUND',
  '405': 'OFF-0002 method not allowed',
  '500': 'ERR0000 internal fault (generic message with the request id)',
  '503': 'OFF-0201 database busy or unreachable (safe to retry)',
};

const okEnvelope = (responseObject: JsonSchema): JsonSchema => ({
  type: 'object',
  properties: { status: { type: 'string', enum: ['OK'] }, responseObject },
  required: ['status', 'responseObject'],
});

const errorRef = { $ref: '#/components/schemas/ErrorEnvelope' };

function errorResponses(codes: readonly string[]): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const code of codes) {
    out[code] = {
      description: ERROR_CODES_BY_STATUS[code] ?? 'error',
      content: { 'application/json': { schema: errorRef } },
    };
  }
  return out;
}

/** The `responseObject` of an error envelope. */
const ERROR_OBJECT: JsonSchema = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    localizedMessage: { type: 'string' },
  },
  required: ['code', 'message', 'localizedMessage'],
};

export interface OpenApiOptions {
  version: string;
  /** Integration credentials configured: the protected routes (server.md §1.5) require HTTP Basic. */
  basicAuth: boolean;
  /** The mounted route groups. */
  mount: Readonly<Record<MountKey, boolean>>;
  /** The plugin's path prefix ('' or `/x`). */
  prefix: string;
}

export function buildOpenApiDocument(server: OffcodeServer, options: OpenApiOptions): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  restPaths(server, options, paths);
  if (options.mount.powerauth) powerAuthPaths(options.prefix, paths);
  systemPaths(options, paths);
  return {
    openapi: '3.0.3',
    info: {
      title: 'Offcode API',
      version: options.version,
      description:
        'PowerAuth-compatible REST API for offline authentication codes (protocol V3 and V4). Every /rest method is POST with `{"requestObject": {…}}` and answers `{"status":"OK","responseObject":{…}}` or `{"status":"ERROR","responseObject":{code,message,localizedMessage}}`.',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'Offline codes' },
      { name: 'Applications' },
      { name: 'Activations' },
      { name: 'Audit' },
      {
        name: POWERAUTH_TAG,
        description:
          'Device-facing: the PowerAuth mobile SDK calls these; guarded by the device cryptography, no integration credentials.',
      },
      { name: 'System' },
    ],
    paths,
    components: {
      schemas: {
        ErrorEnvelope: {
          type: 'object',
          properties: { status: { type: 'string', enum: ['ERROR'] }, responseObject: ERROR_OBJECT },
          required: ['status', 'responseObject'],
        },
        ...POWERAUTH_SCHEMAS,
      },
      ...(options.basicAuth ? { securitySchemes: { basicAuth: { type: 'http', scheme: 'basic' } } } : {}),
    },
  };
}

function restPaths(
  server: OffcodeServer,
  options: OpenApiOptions,
  paths: Record<string, Record<string, JsonSchema>>,
): void {
  for (const m of REST_METHODS) {
    const mounted = m.paths.filter((p) => options.mount[restGroupOf(p)]);
    if (mounted.length === 0) continue;
    const requestSchema = (server.schemas[m.request] as { json(): JsonSchema }).json();
    const envelope: JsonSchema = {
      type: 'object',
      properties: { requestObject: requestSchema },
      ...(m.fieldless ? {} : { required: ['requestObject'] }),
    };
    for (const path of mounted) {
      const secured = options.basicAuth && m.access === 'protected';
      const operation = (method: string): JsonSchema => ({
        operationId: m.paths.length > 1 || m.get ? `${m.id}_${method}_${path.split('/')[2]}` : m.id,
        summary: m.summary,
        tags: [m.tag],
        ...(method === 'post'
          ? {
              requestBody: {
                required: !m.fieldless,
                content: { 'application/json': { schema: envelope } },
              },
            }
          : {}),
        responses: {
          '200': {
            description: 'success',
            content: {
              'application/json': { schema: okEnvelope(responseSchemas[m.response] as JsonSchema) },
            },
          },
          ...errorResponses(secured ? ['400', '401', '405', '500', '503'] : ['400', '405', '500', '503']),
        },
        ...(secured ? { security: [{ basicAuth: [] }] } : {}),
      });
      paths[`${options.prefix}${path}`] = {
        post: operation('post'),
        ...(m.get ? { get: operation('get') } : {}),
      };
    }
  }
}

function systemPaths(options: OpenApiOptions, paths: Record<string, Record<string, JsonSchema>>): void {
  const at = (path: string): string => `${options.prefix}${path}`;
  if (options.mount.health)
    paths[at('/healthz')] = {
      get: {
        operationId: 'healthz',
        summary: 'Liveness with a database round trip (`SELECT 1`)',
        tags: ['System'],
        responses: {
          '200': {
            description: 'ok',
            content: { 'text/plain': { schema: { type: 'string', enum: ['ok'] } } },
          },
          '503': {
            description: 'database unreachable',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    };
  if (options.mount.health) probePaths(at, paths);
  if (options.mount.metrics) {
    paths[at('/metrics')] = {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics (text format 0.0.4, per process)',
        tags: ['System'],
        responses: {
          '200': { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
          ...(options.basicAuth ? errorResponses(['401']) : {}),
        },
        ...(options.basicAuth ? { security: [{ basicAuth: [] }] } : {}),
      },
    };
  }
  if (options.mount.openapi)
    paths[at('/openapi.json')] = {
      get: {
        operationId: 'openapi',
        summary: 'This document',
        tags: ['System'],
        responses: {
          '200': {
            description: 'OpenAPI 3.0.3',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    };
  if (options.mount.docs)
    paths[at('/docs')] = {
      get: {
        operationId: 'docs',
        summary: 'Interactive viewer of this document',
        tags: ['System'],
        responses: {
          '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } },
        },
      },
    };
}

/** `/livez` and `/readyz` (server.md §2.6): public, in the envelope. */
function probePaths(at: (path: string) => string, paths: Record<string, Record<string, JsonSchema>>): void {
  paths[at('/livez')] = {
    get: {
      operationId: 'livez',
      summary:
        'Liveness: 200 while the process serves requests (also while it drains); no database round trip',
      tags: ['System'],
      responses: {
        '200': {
          description: 'live',
          content: {
            'application/json': {
              schema: okEnvelope({
                type: 'object',
                properties: { live: { type: 'boolean', enum: [true] } },
                required: ['live'],
              }),
            },
          },
        },
      },
    },
  };
  paths[at('/readyz')] = {
    get: {
      operationId: 'readyz',
      summary: 'Readiness: database reachable, no migration pending, not shutting down',
      tags: ['System'],
      responses: {
        '200': {
          description: 'ready',
          content: {
            'application/json': {
              schema: okEnvelope({
                type: 'object',
                properties: {
                  ready: { type: 'boolean', enum: [true] },
                  database: { type: 'boolean', enum: [true] },
                  pendingMigrations: { type: 'array', items: { type: 'string' }, maxItems: 0 },
                },
                required: ['ready', 'database', 'pendingMigrations'],
              }),
            },
          },
        },
        '503': {
          description:
            'not ready: OFF-0003 shutting down; OFF-0201 database unreachable or migrations pending (the message names them)',
          content: { 'application/json': { schema: errorRef } },
        },
      },
    },
  };
}
