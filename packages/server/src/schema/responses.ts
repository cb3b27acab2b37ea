/**
 * JSON Schemas (OpenAPI 3.0.3) of every service response (the `responseObject` of the wire envelope), for
 * apps/api's OpenAPI document. The TypeScript response types in the services are the same shapes.
 */
import type { JsonSchema } from './core.js';

const str = (extra: JsonSchema = {}): JsonSchema => ({ type: 'string', ...extra });
const nstr = (extra: JsonSchema = {}): JsonSchema => ({ type: 'string', nullable: true, ...extra });
const int = (extra: JsonSchema = {}): JsonSchema => ({ type: 'integer', ...extra });
const nint = (extra: JsonSchema = {}): JsonSchema => ({ type: 'integer', nullable: true, ...extra });
const bool = (): JsonSchema => ({ type: 'boolean' });
const strings = (): JsonSchema => ({ type: 'array', items: { type: 'string' } });
const dateTime = (): JsonSchema => nstr({ format: 'date-time' });
const obj = (properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
});

const ACTIVATION_STATUS = ['CREATED', 'PENDING_COMMIT', 'ACTIVE', 'BLOCKED', 'REMOVED'];
const OFFLINE_TYPES = ['POSSESSION_KNOWLEDGE', 'POSSESSION_BIOMETRY'];
const status = (): JsonSchema => str({ enum: ACTIVATION_STATUS });

const verifyCommon = {
  activationStatus: status(),
  blockedReason: nstr(),
  activationId: str({ format: 'uuid' }),
  userId: nstr(),
  applicationId: nstr(),
  remainingAttempts: int({ minimum: 0 }),
  applicationRoles: strings(),
  activationFlags: strings(),
  blockExpiresAt: dateTime(),
  protocolVersion: nint({ enum: [3, 4] }),
};

const offlinePayload = obj({
  offlineData: str({ description: 'complete QR text' }),
  nonce: str({ format: 'byte' }),
  expiresAt: dateTime(),
});

export const responseSchemas = {
  applicationCreate: obj({ applicationId: str(), applicationRoles: strings() }),
  applicationDetail: obj({
    applicationId: str(),
    applicationRoles: strings(),
    masterPublicKey: nstr({ format: 'byte' }),
    versions: {
      type: 'array',
      items: obj({
        applicationVersionId: str(),
        applicationKey: str(),
        applicationSecret: str(),
        mobileSdkConfig: nstr(),
        supported: bool(),
      }),
    },
    masterPublicKeys: obj({ EC_P256: nstr({ format: 'byte' }), EC_P384: nstr({ format: 'byte' }) }),
    commitOnKeyExchange: bool(),
  }),
  applicationList: obj({
    applications: { type: 'array', items: obj({ applicationId: str(), applicationRoles: strings() }) },
  }),
  applicationVersionCreate: obj({
    applicationVersionId: str(),
    applicationKey: str(),
    applicationSecret: str(),
    supported: bool(),
  }),
  activationInit: obj({
    activationId: str({ format: 'uuid' }),
    activationCode: str(),
    activationSignature: str({ format: 'byte' }),
    activationSignatures: obj({ EC_P256: str({ format: 'byte' }), EC_P384: str({ format: 'byte' }) }),
    userId: str(),
    applicationId: str(),
  }),
  activationExchange: obj({
    activationId: str({ format: 'uuid' }),
    userId: str(),
    activationStatus: status(),
    protocolVersion: int({ enum: [3, 4] }),
    serverPublicKey: str({ format: 'byte' }),
    ctrData: str({ format: 'byte' }),
    masterPublicKey: str({ format: 'byte' }),
    offlineComponentLength: int({ minimum: 4, maximum: 8 }),
  }),
  activationCommit: obj({ activationId: str({ format: 'uuid' }), activated: bool() }),
  activationStatus: obj({
    activationId: str({ format: 'uuid' }),
    activationStatus: status(),
    blockedReason: nstr(),
    activationName: nstr(),
    userId: nstr(),
    applicationId: nstr(),
    applicationRoles: strings(),
    activationFlags: strings(),
    failedAttempts: nint(),
    maxFailedAttempts: nint(),
    commitPhase: nstr({ enum: ['ON_COMMIT', 'ON_KEY_EXCHANGE'] }),
    protocol: nstr({ enum: ['powerauth'] }),
    version: nint({ enum: [3, 4] }),
    timestampCreated: dateTime(),
    timestampLastUsed: dateTime(),
    timestampLastChange: dateTime(),
    activationCode: nstr(),
    activationSignature: nstr({ format: 'byte' }),
    encryptedStatusBlob: nstr(),
    protocolVersion: nint({ enum: [3, 4] }),
    counter: nint(),
    biometryEnabled: { type: 'boolean', nullable: true },
    blockExpiresAt: dateTime(),
    temporaryBlockCount: nint(),
    timestampActivationExpire: dateTime(),
  }),
  activationBlock: obj({
    activationId: str({ format: 'uuid' }),
    activationStatus: status(),
    blockedReason: nstr(),
  }),
  activationUnblock: obj({ activationId: str({ format: 'uuid' }), activationStatus: status() }),
  activationRemove: obj({ activationId: str({ format: 'uuid' }), removed: bool() }),
  offlinePayload,
  verifyV3: obj({ signatureValid: bool(), ...verifyCommon, signatureType: str({ enum: OFFLINE_TYPES }) }),
  verifyV4: obj({
    authenticationValid: bool(),
    ...verifyCommon,
    authenticationCodeType: str({ enum: OFFLINE_TYPES }),
  }),
  auditList: obj({
    items: {
      type: 'array',
      items: obj({
        id: int(),
        userId: str(),
        applicationId: str(),
        activationId: str({ format: 'uuid' }),
        activationCounter: int(),
        activationCtrData: nstr({ format: 'byte' }),
        activationStatus: status(),
        additionalInfo: { type: 'object', additionalProperties: { type: 'string' } },
        dataBase64: str({ format: 'byte' }),
        signatureVersion: nstr(),
        signatureType: str(),
        signature: nstr({ description: 'always null: codes are never stored' }),
        note: str(),
        valid: bool(),
        version: nint(),
        timestampCreated: str({ format: 'date-time' }),
        codeDigest: nstr({ format: 'byte' }),
        nonce: nstr(),
      }),
    },
  }),
  status: obj({
    status: str({ enum: ['OK'] }),
    applicationName: str(),
    applicationDisplayName: str(),
    applicationEnvironment: str(),
    version: str(),
    buildTime: nstr(),
    timestamp: str({ format: 'date-time' }),
    protocolVersions: { type: 'array', items: int() },
    database: str({ enum: ['pglite', 'postgresql'] }),
    cryptoBackend: str({ enum: ['wasm', 'noble'] }),
    encryptionAtRest: bool(),
    payloadRegistry: str({ enum: ['off', 'record', 'enforce'] }),
  }),
  errorList: obj({ errors: { type: 'array', items: obj({ code: str(), value: str() }) } }),
} as const satisfies Record<string, JsonSchema>;
