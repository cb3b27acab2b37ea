/**
 * @offcode/server: the PowerAuth-compatible offline authentication-code engine (V3 and V4) — applications,
 * activations, offline payloads, verification, audit — on embedded PGlite or PostgreSQL.
 */
// Activation codes are a protocol-level format (one implementation in @offcode/protocol); re-exported here
// because callers of earlier versions import them from the server.
export { crc16Arc, generateActivationCode, parseActivationCode } from '@offcode/protocol';
export { AtRestCipher, aad, ENCRYPTION_AES_GCM, ENCRYPTION_NONE, ENVELOPE_VERSION } from './at-rest.js';
export {
  ConfigError,
  type ConfigInput,
  defaultConfig,
  type LoadConfigOptions,
  type LoadConfigResult,
  loadConfig,
  loadConfigOrThrow,
  masterKeyId,
  type OffcodeConfig,
  type PayloadRegistryMode,
  type ProtocolVersion,
} from './config.js';
export type { ServerHooks } from './context.js';
export {
  ERROR_CODES,
  httpStatusFor,
  isOffcodeError,
  listErrors,
  OffcodeError,
  type OffcodeErrorCode,
  type ValidationIssue,
} from './errors.js';
export { ActivationStatus, type ActivationStatusName } from './repo/rows.js';
export {
  INVALID,
  type Infer,
  type JsonSchema,
  type ObjectSchema,
  parseRequest,
  type Schema,
} from './schema/core.js';
export * from './schema/requests.js';
export { responseSchemas } from './schema/responses.js';
export { type CreateOffcodeServerOptions, createOffcodeServer, type OffcodeServer } from './server.js';
export type {
  ActivationExchangeResponse,
  ActivationHistoryItem,
  ActivationInitResponse,
  ActivationStatusResponse,
} from './services/activations.js';
export type {
  ApplicationDetail,
  ApplicationSummary,
  ApplicationVersionCreated,
  ApplicationVersionInfo,
} from './services/applications.js';
export type { AuditItem } from './services/audit.js';
export type { OfflinePayloadResponse } from './services/offline-create.js';
export type { SweepResult, SystemStatus } from './services/system.js';
export type {
  SignatureTypeName,
  VerifyOutcome,
  VerifyResponse,
  VerifyResultKind,
  VerifyV3Response,
  VerifyV4Response,
} from './services/verify.js';
export { verifyResponseFromOutcome } from './services/verify.js';
export {
  MIGRATIONS,
  type Migration,
  MigrationError,
  migrate,
  migrationChecksum,
  pendingMigrations,
} from './storage/migrate.js';
export { type OpenStorageOptions, openStorage } from './storage/open.js';
export { openPgliteStorage, type PgliteStorageOptions } from './storage/pglite.js';
export { openPostgresStorage, type PostgresStorageOptions } from './storage/postgres.js';
export {
  type QueryResult,
  type SqlExecutor,
  type Storage,
  StorageError,
  type StorageErrorKind,
  type StorageKind,
  type TransactionOptions,
} from './storage/types.js';
export { BUILD_TIME, SERVER_VERSION } from './version.js';
