/**
 * @offcode/server/internal: for first-party Offcode packages only (apps/api, the HTTP adapter, test and bench
 * tools). Unstable: names here may change or go away in any release without a major version. Every name has
 * one home: nothing here is also exported from the root.
 */
export { AtRestCipher, aad, ENCRYPTION_AES_GCM, ENCRYPTION_NONE, ENVELOPE_VERSION } from './at-rest.js';
export { masterKeyId } from './config.js';
export type { ServerHooks } from './context.js';
export {
  INVALID,
  type Infer,
  type JsonSchema,
  type ObjectSchema,
  parseRequest,
  type Schema,
} from './schema/core.js';
export { COMMIT_PHASES, type RequestSchemas, requestSchemas, type SchemaConfig } from './schema/requests.js';
export { responseSchemas } from './schema/responses.js';
export { SERVER_SEALED_GROUPS, type SealedGroup } from './sealed-columns.js';
export { verifyResponseFromOutcome } from './services/verify.js';
export * from './settings.js';
export {
  type AppliedMigration,
  MIGRATIONS,
  type MigrationSet,
  migrate,
  migrateSets,
  migrationChecksum,
  pendingMigrationScript,
  pendingMigrations,
  pendingMigrationsOf,
  SERVER_MIGRATIONS,
  SERVER_NAMESPACE,
} from './storage/migrate.js';
export { openStorageUnmigrated } from './storage/open.js';
export { openPgliteStorage, type PgliteStorageOptions } from './storage/pglite.js';
export { type PgliteTemplateOptions, pgliteTemplate, pgliteTemplateFile } from './storage/pglite-template.js';
export { openPostgresStorage, type PostgresStorageOptions } from './storage/postgres.js';
export { foreignTables, SERVER_TABLES } from './storage/table-set.js';
export type {
  SqlExecutor,
  StorageErrorKind,
  StorageErrorReason,
  TransactionOptions,
} from './storage/types.js';
