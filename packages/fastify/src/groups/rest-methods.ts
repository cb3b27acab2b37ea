/**
 * The REST method table (server.md §2.0): one entry per method, with every path it answers on, the request
 * and response schema names (validation and OpenAPI come from the same schemas of @offcode/server) and the
 * service call. The router, the OpenAPI generator, the access table and the tests all read this one table.
 * Each path belongs to one mount group: `/rest/v3/**` to `v3`, `/rest/v4/**` to `v4`, `/rest/offcode/**`
 * (the device-facing plain key exchange) to `device`.
 */
import type { OffcodeServer } from '@offcode/server';
import { parseRequest, type RequestSchemas, type responseSchemas } from '@offcode/server/internal';
import { listAllErrors } from '../errors.js';

export type ResponseSchemaName = keyof typeof responseSchemas;

export interface RestMethod {
  /** OpenAPI operationId. */
  id: string;
  summary: string;
  tag: 'Offline codes' | 'Applications' | 'Activations' | 'Audit' | 'System';
  paths: readonly string[];
  /** Also answers GET (status methods). */
  get?: boolean;
  /** No request fields: an empty body, `{}` and `{"requestObject":{}}` are all accepted. */
  fieldless: boolean;
  request: keyof RequestSchemas;
  response: ResponseSchemaName;
  /**
   * Access class (server.md §1.5, src/access.ts): `protected` needs the integration credentials when
   * they are configured; `device` is called by the token and guarded by its own cryptography.
   */
  access: 'protected' | 'device';
  /** Offline methods: protocol version and kind (metrics; verify answers from the service's outcome). */
  offline?: { version: 3 | 4; kind: 'personalized' | 'non-personalized' | 'verify' };
  call(server: OffcodeServer, requestObject: unknown): Promise<unknown>;
}

const both = (suffix: string): string[] => [`/rest/v3/${suffix}`, `/rest/v4/${suffix}`];

export const REST_METHODS: readonly RestMethod[] = [
  {
    id: 'createPersonalizedOfflineSignaturePayloadV3',
    summary: 'V3 personalized offline payload (ECDSA P-256 with the activation server key, key type 1)',
    tag: 'Offline codes',
    paths: ['/rest/v3/signature/offline/personalized/create'],
    fieldless: false,
    request: 'personalizedCreate',
    response: 'offlinePayload',
    access: 'protected',
    offline: { version: 3, kind: 'personalized' },
    call: (s, r) => s.offline.createPersonalized(3, r),
  },
  {
    id: 'createNonPersonalizedOfflineSignaturePayloadV3',
    summary: 'V3 non-personalized offline payload (ECDSA P-256 with the application master key, key type 0)',
    tag: 'Offline codes',
    paths: ['/rest/v3/signature/offline/non-personalized/create'],
    fieldless: false,
    request: 'nonPersonalizedCreate',
    response: 'offlinePayload',
    access: 'protected',
    offline: { version: 3, kind: 'non-personalized' },
    call: (s, r) => s.offline.createNonPersonalized(3, r),
  },
  {
    id: 'verifyOfflineSignatureV3',
    summary: 'V3 offline code verification',
    tag: 'Offline codes',
    paths: ['/rest/v3/signature/offline/verify'],
    fieldless: false,
    request: 'verifyV3',
    response: 'verifyV3',
    access: 'protected',
    offline: { version: 3, kind: 'verify' },
    call: (s, r) => s.offline.verify(3, r),
  },
  {
    id: 'createPersonalizedOfflinePayloadV4',
    summary: 'V4 personalized offline payload (KMAC-256 with KEY_MAC_PERSONALIZED_DATA, key type 2)',
    tag: 'Offline codes',
    paths: ['/rest/v4/auth/offline/personalized/create'],
    fieldless: false,
    request: 'personalizedCreate',
    response: 'offlinePayload',
    access: 'protected',
    offline: { version: 4, kind: 'personalized' },
    call: (s, r) => s.offline.createPersonalized(4, r),
  },
  {
    id: 'createNonPersonalizedOfflinePayloadV4',
    summary: 'V4 non-personalized offline payload (ECDSA P-384 with the application master key, key type 0)',
    tag: 'Offline codes',
    paths: ['/rest/v4/auth/offline/non-personalized/create'],
    fieldless: false,
    request: 'nonPersonalizedCreate',
    response: 'offlinePayload',
    access: 'protected',
    offline: { version: 4, kind: 'non-personalized' },
    call: (s, r) => s.offline.createNonPersonalized(4, r),
  },
  {
    id: 'verifyOfflineAuthenticationCodeV4',
    summary: 'V4 offline code verification',
    tag: 'Offline codes',
    paths: ['/rest/v4/auth/offline/verify'],
    fieldless: false,
    request: 'verifyV4',
    response: 'verifyV4',
    access: 'protected',
    offline: { version: 4, kind: 'verify' },
    call: (s, r) => s.offline.verify(4, r),
  },
  {
    id: 'createApplication',
    summary: 'Create an application (P-256 and P-384 master key pairs, version "default")',
    tag: 'Applications',
    paths: both('application/create'),
    fieldless: false,
    request: 'applicationCreate',
    response: 'applicationCreate',
    access: 'protected',
    call: (s, r) => s.applications.create(r),
  },
  {
    id: 'getApplicationDetail',
    summary: 'Application detail with master public keys and versions',
    tag: 'Applications',
    paths: both('application/detail'),
    fieldless: false,
    request: 'applicationDetail',
    response: 'applicationDetail',
    access: 'protected',
    call: (s, r) => s.applications.detail(r),
  },
  {
    id: 'getApplicationList',
    summary: 'List applications',
    tag: 'Applications',
    paths: both('application/list'),
    fieldless: true,
    request: 'applicationList',
    response: 'applicationList',
    access: 'protected',
    call: (s, r) => s.applications.list(r),
  },
  {
    id: 'createApplicationVersion',
    summary: 'Create an application version (application key and secret)',
    tag: 'Applications',
    paths: both('application/version/create'),
    fieldless: false,
    request: 'applicationVersionCreate',
    response: 'applicationVersionCreate',
    access: 'protected',
    call: (s, r) => s.applications.createVersion(r),
  },
  {
    id: 'initActivation',
    summary: 'Create an activation (status CREATED) with its activation code',
    tag: 'Activations',
    paths: both('activation/init'),
    fieldless: false,
    request: 'activationInit',
    response: 'activationInit',
    access: 'protected',
    call: (s, r) => s.activations.init(r),
  },
  {
    id: 'commitActivation',
    summary: 'Commit an activation (PENDING_COMMIT → ACTIVE)',
    tag: 'Activations',
    paths: both('activation/commit'),
    fieldless: false,
    request: 'activationCommit',
    response: 'activationCommit',
    access: 'protected',
    call: (s, r) => s.activations.commit(r),
  },
  {
    id: 'getActivationStatus',
    summary: 'Activation status',
    tag: 'Activations',
    paths: both('activation/status'),
    fieldless: false,
    request: 'activationStatus',
    response: 'activationStatus',
    access: 'protected',
    call: (s, r) => s.activations.status(r),
  },
  {
    id: 'blockActivation',
    summary: 'Block an activation (manual, no expiry)',
    tag: 'Activations',
    paths: both('activation/block'),
    fieldless: false,
    request: 'activationBlock',
    response: 'activationBlock',
    access: 'protected',
    call: (s, r) => s.activations.block(r),
  },
  {
    id: 'unblockActivation',
    summary: 'Unblock an activation',
    tag: 'Activations',
    paths: both('activation/unblock'),
    fieldless: false,
    request: 'activationUnblock',
    response: 'activationUnblock',
    access: 'protected',
    call: (s, r) => s.activations.unblock(r),
  },
  {
    id: 'removeActivation',
    summary: 'Remove an activation (key material is deleted)',
    tag: 'Activations',
    paths: both('activation/remove'),
    fieldless: false,
    request: 'activationRemove',
    response: 'activationRemove',
    access: 'protected',
    call: (s, r) => s.activations.remove(r),
  },
  {
    id: 'exchangeActivationKeys',
    summary: 'Offcode plain key exchange (device-facing; replaces PowerAuth prepare)',
    tag: 'Activations',
    paths: ['/rest/offcode/activation/exchange'],
    fieldless: false,
    request: 'activationExchange',
    response: 'activationExchange',
    access: 'device',
    call: (s, r) => s.activations.exchange(r),
  },
  {
    id: 'getAuditList',
    summary: 'Audit of offline verifications, newest first',
    tag: 'Audit',
    paths: ['/rest/v3/signature/list', '/rest/v4/audit/list'],
    fieldless: false,
    request: 'auditList',
    response: 'auditList',
    access: 'protected',
    call: (s, r) => s.audit.list(r),
  },
  {
    id: 'getSystemStatus',
    summary: 'System status',
    tag: 'System',
    paths: ['/rest/v3/status', '/rest/v4/status'],
    get: true,
    fieldless: true,
    request: 'status',
    response: 'status',
    access: 'protected',
    call: (s, r) => s.system.status(r),
  },
  {
    id: 'getErrorList',
    summary: 'Error codes and their English texts',
    tag: 'System',
    paths: ['/rest/v3/error/list'],
    fieldless: true,
    request: 'errorList',
    response: 'errorList',
    access: 'protected',
    call: async (s, r) => {
      parseRequest(s.schemas.errorList, r);
      return { errors: listAllErrors() };
    },
  },
];

/** The mount groups of the REST paths (the `mount` option of the plugin). */
export type RestGroup = 'v3' | 'v4' | 'device';

/** The group a REST path belongs to. */
export function restGroupOf(path: string): RestGroup {
  if (path.startsWith('/rest/v3/')) return 'v3';
  if (path.startsWith('/rest/v4/')) return 'v4';
  if (path.startsWith('/rest/offcode/')) return 'device';
  throw new Error(`REST path ${path} belongs to no mount group`);
}
