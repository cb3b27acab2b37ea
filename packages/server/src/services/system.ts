/** Status (server.md §2.6), health and maintenance: temporary-block sweep and registry purge. */
import type { ServerContext } from '../context.js';
import { purgeEnrollment } from '../enrollment/service.js';
import { findActivation, lockDueBlockExpiries, purgePayloadBatch } from '../repo/queries.js';
import { parseRequest } from '../schema/core.js';
import { type MigrationSet, pendingMigrationsOf } from '../storage/migrate.js';
import type { StorageStats } from '../storage/types.js';
import { inTransaction, read, service } from '../transactions.js';
import { BUILD_TIME, SERVER_VERSION } from '../version.js';
import { applyDueBlockExpiry } from './blocking.js';

export interface SystemStatus {
  status: 'OK';
  applicationName: 'offcode';
  applicationDisplayName: 'Offcode Server';
  applicationEnvironment: string;
  version: string;
  buildTime: string | null;
  timestamp: string;
  protocolVersions: number[];
  database: 'pglite' | 'postgresql';
  cryptoBackend: 'wasm' | 'noble';
  encryptionAtRest: boolean;
  payloadRegistry: 'off' | 'record' | 'enforce';
}

export interface SweepResult {
  /** Temporary blocks that expired (activations made ACTIVE again). */
  unblocked: number;
  /** Registry rows deleted after their retention. */
  purgedPayloads: number;
  /** Expired PowerAuth 3.3 temporary keys deleted. */
  purgedTemporaryKeys: number;
  /** Expired ECIES replay digests deleted. */
  purgedReplays: number;
}

/** What `/readyz` reports (server.md §2.6); `ready` when the database answers and nothing is pending. */
export interface Readiness {
  ready: boolean;
  /** `SELECT 1` succeeded. */
  database: boolean;
  /** Pending migrations as `namespace/version name` (empty once migrated; unknown while the database is down). */
  pendingMigrations: string[];
}

const SWEEP_BATCH = 100;

/**
 * `migrationSets`: the server's own set and every registered table set, whose pending migrations keep the
 * instance unready (an integrator may pass a storage it has not migrated yet).
 */
export function createSystemService(ctx: ServerContext, migrationSets: readonly MigrationSet[] = []) {
  // Migrations are only ever added: once none is pending, readiness stops asking (one query less per probe).
  let migrated = false;
  return {
    status: async (request: unknown = {}): Promise<SystemStatus> =>
      service(async () => {
        parseRequest(ctx.schemas.status, request);
        return {
          status: 'OK' as const,
          applicationName: 'offcode' as const,
          applicationDisplayName: 'Offcode Server' as const,
          applicationEnvironment: ctx.config.environment,
          version: SERVER_VERSION,
          buildTime: BUILD_TIME,
          timestamp: ctx.now().toISOString(),
          protocolVersions: [...ctx.config.protocolVersions],
          database: ctx.storage.kind,
          cryptoBackend: ctx.suite.engine.backend,
          encryptionAtRest: ctx.cipher.enabled,
          payloadRegistry: ctx.config.payloadRegistry,
        };
      }),

    /** `SELECT 1` through the storage: resolves when the database answers (for /healthz). */
    health: (): Promise<void> => service(() => read(() => ctx.storage.ping())),

    /** Database round trip and pending migrations; never throws (a failed check is `false` / unready). */
    readiness: async (): Promise<Readiness> => {
      try {
        await ctx.storage.ping();
      } catch {
        return { ready: false, database: false, pendingMigrations: [] };
      }
      if (!migrated) {
        try {
          const pending = await pendingMigrationsOf(ctx.storage, migrationSets);
          const names = pending.map((p) => `${p.namespace}/${p.migration.version} ${p.migration.name}`);
          if (names.length > 0) return { ready: false, database: true, pendingMigrations: names };
          migrated = true;
        } catch {
          // A checksum mismatch or a lost connection: not ready; the next probe asks again.
          return { ready: false, database: true, pendingMigrations: ['(cannot be read)'] };
        }
      }
      return { ready: true, database: true, pendingMigrations: [] };
    },

    /** Connection counts of the storage, or null when it has none (a wrapper without `stats`). */
    storageStats: (): StorageStats | null => ctx.storage.stats?.() ?? null,
  };
}

export function createMaintenanceService(ctx: ServerContext) {
  return {
    /**
     * Idempotent; safe to run in every process at once (SKIP LOCKED): expires due temporary blocks in batches
     * of 100, purges registry rows older than their retention, and expired temporary ECIES keys and replay
     * digests, in batches of 1000.
     */
    sweep: (): Promise<SweepResult> =>
      service(async () => {
        let unblocked = 0;
        for (;;) {
          const now = ctx.now();
          const n = await inTransaction(
            ctx,
            async (tx) => {
              const ids = await lockDueBlockExpiries(tx, now, SWEEP_BATCH);
              for (const id of ids) {
                const row = await findActivation(tx, id);
                if (row) await applyDueBlockExpiry(tx, row, now);
              }
              return ids.length;
            },
            { lock: true },
          );
          unblocked += n;
          if (n < SWEEP_BATCH) break;
        }
        let purgedPayloads = 0;
        const cutoff = new Date(ctx.now().getTime() - ctx.config.payloadRetentionS * 1000);
        for (;;) {
          const n = await inTransaction(ctx, (tx) => purgePayloadBatch(tx, cutoff));
          purgedPayloads += n;
          if (n < 1000) break;
        }
        return { unblocked, purgedPayloads, ...(await purgeEnrollment(ctx)) };
      }),
  };
}
