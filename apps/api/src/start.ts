/**
 * startApi(): configuration → storage (migrations of @offcode/server) → services (+ the demo's table set) →
 * demo seed → HTTP listener. Used by `main.ts` (the start command) and by the tests (random port,
 * in-memory PGlite or a fresh PostgreSQL database).
 */
import { mkdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import {
  ConfigError,
  type ConfigInput,
  type CreateOffcodeServerOptions,
  createOffcodeServer,
  MigrationError,
  type OffcodeServer,
  type Storage,
} from '@offcode/server';
import {
  type MigrationSet,
  migrateSets,
  openStorageUnmigrated,
  pendingMigrationsOf,
  SERVER_MIGRATIONS,
} from '@offcode/server/internal';
import type { FastifyInstance } from 'fastify';
import { buildApi } from './app.js';
import { packageRoot } from './demo/assets.js';
import { DEMO_TABLES } from './demo/migrations.js';
import { type CliActivation, createCliActivation, ensureDemoApplication } from './seed.js';
import { type ApiConfig, isLoopbackHost, loadApiSettings } from './settings.js';

/** Thrown when the configuration is invalid; `errors` holds one line per problem (server.md §4). */
export { ConfigError };

export interface StartApiOptions {
  /** Environment (default `process.env`). */
  env?: ConfigInput;
  /** Extra options of createOffcodeServer (tests: clock, hooks). */
  server?: Omit<CreateOffcodeServerOptions, 'config' | 'storage'>;
  /** Wraps the opened storage (tests inject faults). */
  wrapStorage?: (storage: Storage) => Storage;
  /** `false` turns logging off (default: OFFCODE_LOG_LEVEL). */
  logger?: boolean;
  /** Where log lines go (default stdout). */
  logStream?: { write(line: string): void };
  /** Create the activation for the start banner's CLI line (default false). */
  cliActivation?: boolean;
  /** PostgreSQL schema (search_path) for the storage; tests isolate runs this way. */
  schema?: string;
  /**
   * A PGlite data-directory dump that a new database starts from instead of initdb (test suites:
   * `pgliteTemplate()` of `@offcode/server/internal`, server.md §5.3); ignored with DATABASE_URL. The
   * migrations are still checked and applied as for any database.
   */
  pgliteDump?: Blob;
}

/** Every migration set this application runs: the server's tables and the demo's (namespace `demo`). */
export const API_MIGRATION_SETS: readonly MigrationSet[] = [SERVER_MIGRATIONS, DEMO_TABLES];

const migrationName = (sets: readonly MigrationSet[], namespace: string, version: number): string =>
  sets.find((s) => s.namespace === namespace)?.migrations.find((m) => m.version === version)?.name ?? '?';

export interface NamedMigration {
  namespace: string;
  version: number;
  name: string;
}

/** `namespace/version name`, as logged. */
export const describeMigration = (m: NamedMigration): string => `${m.namespace}/${m.version} ${m.name}`;

/** Applies the pending migrations of every set; returns what it applied, in order. */
export async function applyMigrations(storage: Storage): Promise<NamedMigration[]> {
  const applied = await migrateSets(storage, API_MIGRATION_SETS);
  return applied.map((a) => ({ ...a, name: migrationName(API_MIGRATION_SETS, a.namespace, a.version) }));
}

/** OFFCODE_AUTO_MIGRATE=true: apply; false: refuse a schema that is behind, naming the command that fixes it. */
async function migrateOrCheck(storage: Storage, autoMigrate: boolean): Promise<string[]> {
  if (autoMigrate) return (await applyMigrations(storage)).map(describeMigration);
  const pending = await pendingMigrationsOf(storage, API_MIGRATION_SETS);
  if (pending.length > 0) {
    const list = pending.map((p) => `${p.namespace}/${p.migration.version}`).join(', ');
    throw new MigrationError(
      `the database schema is behind (pending migrations ${list}) and OFFCODE_AUTO_MIGRATE=false: run \`offcode-api migrate\` first`,
    );
  }
  return [];
}

export interface RunningApi {
  app: FastifyInstance;
  offcode: OffcodeServer;
  storage: Storage;
  /** The server's configuration and the application's settings. */
  config: ApiConfig;
  /** `http://host:port` as listened on. */
  url: string;
  warnings: string[];
  /** The migrations this start applied (`namespace/version name`), also logged. */
  migrationsApplied: string[];
  /** The start-up activation for the banner's CLI line, with the demo application's PowerAuth values. */
  cliActivation: CliActivation | null;
  close(): Promise<void>;
}

/**
 * apps/api's default PGlite directory is inside the package (apps/api/.data/pgdata, gitignored), created on
 * first start; relative OFFCODE_DATA_DIR values stay relative to the working directory.
 */
export function resolveApiConfig(env: ConfigInput): {
  config: ApiConfig;
  errors: string[];
  warnings: string[];
} {
  const result = loadApiSettings(env);
  const { config } = result;
  if (config.databaseUrl === null && env.OFFCODE_DATA_DIR === undefined) {
    config.dataDir = join(packageRoot(), '.data', 'pgdata');
  }
  if (config.databaseUrl === null && !config.dataDir.startsWith('memory://')) {
    const dir = isAbsolute(config.dataDir) ? config.dataDir : join(process.cwd(), config.dataDir);
    mkdirSync(dir, { recursive: true });
  }
  if (config.integrationCredentials.length === 0 && !isLoopbackHost(config.host)) {
    result.warnings.push(
      `config: OFFCODE_INTEGRATION_CREDENTIALS is not set and the API listens on ${config.host}: every /rest method is open to the network`,
    );
  }
  return result;
}

export async function startApi(options: StartApiOptions = {}): Promise<RunningApi> {
  const env = options.env ?? process.env;
  const { config, errors, warnings } = resolveApiConfig(env);
  if (errors.length > 0) throw new ConfigError(errors);

  const opened = await openStorageUnmigrated(config, {
    ...(options.schema ? { schema: options.schema } : {}),
    ...(options.pgliteDump ? { pgliteDump: options.pgliteDump } : {}),
  });
  let migrationsApplied: string[];
  try {
    migrationsApplied = await migrateOrCheck(opened, config.autoMigrate);
  } catch (error) {
    await opened.close().catch(() => undefined);
    throw error;
  }
  const storage = options.wrapStorage ? options.wrapStorage(opened) : opened;
  let offcode: OffcodeServer | null = null;
  let app: FastifyInstance | null = null;
  let stopSweep: (() => void) | null = null;
  try {
    // The demo's table set goes through the server's migration runner (namespace `demo`).
    offcode = await createOffcodeServer({ ...options.server, config, storage, tableSets: [DEMO_TABLES] });
    if (config.demoEnabled) await ensureDemoApplication(offcode, config.demoApplication);
    const cliActivation =
      options.cliActivation && config.demoEnabled
        ? await createCliActivation(offcode, config.demoApplication)
        : null;
    app = await buildApi({
      offcode,
      settings: config,
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
      ...(options.logStream ? { logStream: options.logStream } : {}),
    });
    await app.listen({ port: config.port, host: config.host });
    const server = app;
    server.log.info(
      { migrations: migrationsApplied },
      migrationsApplied.length > 0
        ? `migrations applied: ${migrationsApplied.join(', ')}`
        : 'migrations: none pending',
    );
    stopSweep = offcode.maintenance.start((error) =>
      server.log.warn({ err: error }, 'maintenance sweep failed'),
    );
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
    const running = offcode;
    let closed = false;
    return {
      app,
      offcode,
      storage,
      config,
      url: `http://${host}:${port}`,
      warnings,
      migrationsApplied,
      cliActivation,
      async close() {
        if (closed) return;
        closed = true;
        stopSweep?.();
        await server.close();
        await running.close();
        await storage.close();
      },
    };
  } catch (error) {
    stopSweep?.();
    await app?.close().catch(() => undefined);
    await offcode?.close().catch(() => undefined);
    await storage.close().catch(() => undefined);
    throw error;
  }
}
