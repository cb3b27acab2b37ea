/** openStorage(config): PGlite (default) or PostgreSQL (`DATABASE_URL`), with migrations applied. */
import type { OffcodeConfig } from '../config.js';
import { MigrationError, migrate, pendingMigrations } from './migrate.js';
import { openPgliteStorage } from './pglite.js';
import { openPostgresStorage } from './postgres.js';
import type { Storage } from './types.js';

export interface OpenStorageOptions {
  /** PostgreSQL only: use this schema (search_path); tests create one per run. */
  schema?: string;
  /**
   * PGlite `memory://` only: start from this data-directory dump instead of running initdb — the test suites'
   * migrated template (`pgliteTemplate` of `@offcode/server/internal`). The migrations still run as without
   * it (pending ones applied, checksums checked). Ignored with `DATABASE_URL`.
   */
  pgliteDump?: Blob;
}

/**
 * The storage of `openStorage` without touching the schema: for callers that run the migrations themselves
 * (apps/api's `offcode-api migrate`, its start, which logs what it applied).
 */
export async function openStorageUnmigrated(
  config: Pick<OffcodeConfig, 'databaseUrl' | 'dataDir' | 'dbPoolMax'>,
  options: OpenStorageOptions = {},
): Promise<Storage> {
  return config.databaseUrl
    ? await openPostgresStorage({
        connectionString: config.databaseUrl,
        poolMax: config.dbPoolMax,
        ...(options.schema ? { schema: options.schema } : {}),
      })
    : await openPgliteStorage({
        dataDir: config.dataDir,
        ...(options.pgliteDump ? { loadDataDir: options.pgliteDump } : {}),
      });
}

export async function openStorage(
  config: Pick<OffcodeConfig, 'databaseUrl' | 'dataDir' | 'dbPoolMax' | 'autoMigrate'>,
  options: OpenStorageOptions = {},
): Promise<Storage> {
  const storage = await openStorageUnmigrated(config, options);
  try {
    if (config.autoMigrate) {
      await migrate(storage);
    } else {
      const pending = await pendingMigrations(storage);
      if (pending.length > 0) {
        throw new MigrationError(
          `the database schema is behind (pending migrations ${pending.map((m) => m.version).join(', ')}) and OFFCODE_AUTO_MIGRATE=false`,
        );
      }
    }
  } catch (error) {
    await storage.close().catch(() => undefined);
    throw error;
  }
  return storage;
}
