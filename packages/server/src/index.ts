/**
 * @offcode/server: the PowerAuth-compatible offline authentication-code engine (V3 and V4) — applications,
 * activations, offline payloads, verification, audit — on embedded PGlite or PostgreSQL.
 *
 * The root holds what an application needs (server.md §5.6). Building blocks of first-party packages (the
 * schema language, storage and migration internals, the at-rest cipher, test hooks) are in
 * `@offcode/server/internal`, which is unstable. Activation codes live in `@offcode/protocol`.
 */
export type { SealedValue } from './at-rest.js';
export {
  ConfigError,
  type ConfigInput,
  defaultConfig,
  type LoadConfigOptions,
  type LoadConfigResult,
  loadConfig,
  loadConfigOrThrow,
  type OffcodeConfig,
  type PayloadRegistryMode,
  type ProtocolVersion,
} from './config.js';
export type { EciesResponseJson } from './enrollment/activation-create.js';
export {
  ENROLLMENT_ERRORS,
  EnrollmentError,
  type EnrollmentErrorCode,
  type EnrollmentRefusal,
  isEnrollmentError,
} from './enrollment/errors.js';
export type { EnrollmentService } from './enrollment/service.js';
export type { ActivationStatusBlobResponse } from './enrollment/status.js';
export type { KeystoreCreateResponse } from './enrollment/temporary-keys.js';
export type { EnrollmentRequest, OkEnvelope } from './enrollment/wire.js';
export {
  ERROR_CODES,
  isOffcodeError,
  listErrors,
  OffcodeError,
  type OffcodeErrorCode,
  type ValidationIssue,
} from './errors.js';
export { ActivationStatus, type ActivationStatusName } from './repo/rows.js';
export type {
  ActivationBlockRequest,
  ActivationCommitRequest,
  ActivationExchangeRequest,
  ActivationInitRequest,
  ActivationRemoveRequest,
  ActivationStatusRequest,
  ActivationUnblockRequest,
  ApplicationCreateRequest,
  ApplicationDetailRequest,
  ApplicationVersionCreateRequest,
  AuditListRequest,
  CommitPhase,
  NonPersonalizedCreateRequest,
  PersonalizedCreateRequest,
  VerifyTypedRequest,
  VerifyV3Request,
  VerifyV4Request,
} from './schema/requests.js';
export { type CreateOffcodeServerOptions, createOffcodeServer, type OffcodeServer } from './server.js';
export type {
  ActivationListItem,
  ActivationListRequest,
  ActivationListResponse,
} from './services/activation-list.js';
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
export type { ResealResult } from './services/reseal.js';
export type { Readiness, SweepResult, SystemStatus } from './services/system.js';
export type {
  SignatureTypeName,
  VerifyOutcome,
  VerifyResponse,
  VerifyResultKind,
  VerifyV3Response,
  VerifyV4Response,
} from './services/verify.js';
export { type Migration, MigrationError } from './storage/migrate.js';
export { type OpenStorageOptions, openStorage } from './storage/open.js';
export {
  defineTableSet,
  type OwnedTableDefinition,
  type SealedColumnDefinition,
  TableScopeError,
  type TableSet,
  type TableSetDefinition,
} from './storage/table-set.js';
export {
  type QueryResult,
  type Storage,
  StorageError,
  type StorageKind,
  type StorageStats,
} from './storage/types.js';
export type { OwnedTables, TableExecutor } from './table-access.js';
export { BUILD_TIME, SERVER_VERSION } from './version.js';
