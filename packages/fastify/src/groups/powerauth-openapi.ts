/**
 * The PowerAuth device API in the OpenAPI document (server.md §1.6): the four POST operations with the wire
 * shapes the PowerAuth mobile SDK sends and reads (the keystore JWT envelope, the bare ECIES 3.3 request and
 * response of activation/create, the status request and its encrypted blob, the signed remove), the
 * RESTful-integration error envelope, tagged device-facing and never with a security requirement (the
 * device's own cryptography guards them, not integration credentials).
 */
import { ENROLLMENT_ERRORS } from '@offcode/server';
import type { JsonSchema } from '@offcode/server/internal';

export const POWERAUTH_TAG = 'Device (PowerAuth)';

const base64 = (description: string): JsonSchema => ({ type: 'string', format: 'byte', description });
const object = (properties: Record<string, JsonSchema>, required = Object.keys(properties)): JsonSchema => ({
  type: 'object',
  properties,
  required,
});
const wrapped = (key: 'requestObject' | 'responseObject', inner: JsonSchema): JsonSchema =>
  key === 'requestObject'
    ? object({ requestObject: inner })
    : object({ status: { type: 'string', enum: ['OK'] }, responseObject: inner });

const ACTIVATION_ID: JsonSchema = {
  type: 'string',
  format: 'uuid',
  description: 'lower-case canonical UUID',
};

/** Component schemas the operations refer to (`#/components/schemas/<name>`). */
export const POWERAUTH_SCHEMAS: Readonly<Record<string, JsonSchema>> = Object.freeze({
  PowerAuthErrorEnvelope: object({
    status: { type: 'string', enum: ['ERROR'] },
    responseObject: object(
      {
        code: { type: 'string', enum: Object.keys(ENROLLMENT_ERRORS) },
        message: { type: 'string', enum: [...new Set(Object.values(ENROLLMENT_ERRORS))] },
        field: { type: 'string', description: 'the offending member, for malformed input only' },
      },
      ['code', 'message'],
    ),
  }),
  EciesRequest: object({
    temporaryKeyId: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' },
    ephemeralPublicKey: base64('compressed P-256 point (33 bytes; 65 accepted)'),
    encryptedData: base64('AES-128-CBC-PKCS7 ciphertext of the layer-1 JSON'),
    mac: base64('HMAC-SHA256 over the ciphertext and sharedInfo2 (32 bytes)'),
    nonce: base64('16 bytes, never seen before within the window'),
    timestamp: { type: 'integer', description: 'epoch ms, within the window of the server clock' },
  }),
  EciesResponse: object({
    encryptedData: base64('ciphertext of the layer-1 response JSON'),
    mac: base64('HMAC-SHA256 (32 bytes)'),
    nonce: base64('16 bytes'),
    timestamp: { type: 'integer', description: 'epoch ms' },
  }),
});

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

interface Operation {
  path: string;
  id: string;
  summary: string;
  header?: { name: string; description: string };
  request: JsonSchema;
  response: JsonSchema;
  /** The RESTful-integration codes the route refuses with (ERR_AUTHENTICATION is 401, the others 400). */
  codes: readonly (keyof typeof ENROLLMENT_ERRORS)[];
}

const OPERATIONS: readonly Operation[] = [
  {
    path: '/pa/v3/keystore/create',
    id: 'paKeystoreCreate',
    summary: 'Temporary ECIES key (application or activation scope): a JWT in, a JWT signed with ES256 out',
    request: wrapped('requestObject', object({ jwt: { type: 'string', description: 'HS256 request JWT' } })),
    response: wrapped(
      'responseObject',
      object({ jwt: { type: 'string', description: 'ES256 response JWT' } }),
    ),
    codes: ['ERR_TEMPORARY_KEY'],
  },
  {
    path: '/pa/v3/activation/create',
    id: 'paActivationCreate',
    summary: 'Activation by activation code (type CODE), ECIES 3.3 in two layers',
    header: {
      name: 'X-PowerAuth-Encryption',
      description:
        'PowerAuth version="3.3" application_key="…" (pairs separated by spaces, Android, or ", ", iOS)',
    },
    request: ref('EciesRequest'),
    response: ref('EciesResponse'),
    codes: ['ERR_TEMPORARY_KEY', 'ERR_ENCRYPTION', 'ERR_ACTIVATION'],
  },
  {
    path: '/pa/v3/activation/status',
    id: 'paActivationStatus',
    summary: 'Encrypted activation status blob',
    request: wrapped('requestObject', object({ activationId: ACTIVATION_ID, challenge: base64('16 bytes') })),
    response: wrapped(
      'responseObject',
      object(
        {
          activationId: ACTIVATION_ID,
          encryptedStatusBlob: base64('32 bytes, AES-128-CBC under the transport key'),
          nonce: base64('16 bytes'),
          customObject: { type: 'object', nullable: true },
        },
        ['activationId', 'encryptedStatusBlob', 'nonce'],
      ),
    ),
    codes: ['ERR_ACTIVATION'],
  },
  {
    path: '/pa/v3/activation/remove',
    id: 'paActivationRemove',
    summary: 'Removal signed by the device (possession plus knowledge or biometry) over the raw body bytes',
    header: {
      name: 'X-PowerAuth-Authorization',
      description:
        'PowerAuth pa_version="3.3", pa_activation_id="…", pa_application_key="…", pa_nonce="…", pa_signature_type="…", pa_signature="…"',
    },
    request: { type: 'object', description: 'any JSON body (the SDK sends {}); signed byte for byte' },
    response: wrapped('responseObject', object({ activationId: ACTIVATION_ID })),
    codes: ['ERR_AUTHENTICATION'],
  },
];

/** Refusals in the RESTful-integration envelope; busy database and internal faults as every other area. */
function responsesOf(op: Operation): Record<string, JsonSchema> {
  const responses: Record<string, JsonSchema> = {
    '200': { description: 'success', content: json(op.response) },
  };
  for (const status of ['400', '401'] as const) {
    const codes = op.codes.filter((c) => (c === 'ERR_AUTHENTICATION') === (status === '401'));
    if (codes.length === 0) continue;
    responses[status] = {
      description: `refused: ${codes.join(', ')} (malformed input names its field; no other detail)`,
      content: json(ref('PowerAuthErrorEnvelope')),
    };
  }
  responses['500'] = { description: 'ERR0000 internal fault', content: json(ref('ErrorEnvelope')) };
  responses['503'] = {
    description: 'OFF-0201 database busy (safe to retry)',
    content: json(ref('ErrorEnvelope')),
  };
  return responses;
}

/** Adds the /pa/v3 operations below `prefix` to `paths`. */
export function powerAuthPaths(prefix: string, paths: Record<string, Record<string, JsonSchema>>): void {
  for (const op of OPERATIONS) {
    const responses = responsesOf(op);
    paths[`${prefix}${op.path}`] = {
      post: {
        operationId: op.id,
        summary: op.summary,
        tags: [POWERAUTH_TAG],
        ...(op.header
          ? {
              parameters: [
                {
                  name: op.header.name,
                  in: 'header',
                  required: true,
                  schema: { type: 'string' },
                  description: op.header.description,
                },
              ],
            }
          : {}),
        requestBody: { required: true, content: json(op.request) },
        responses,
      },
    };
  }
}
