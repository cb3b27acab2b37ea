/**
 * createOffcodeServer({config, storage}) → the service surface of server.md §5.6. apps/api only adds routing,
 * envelopes, credentials, metrics and the demo on top.
 */
import { getOffcodeCrypto, type OffcodeCrypto } from '@offcode/crypto-wasm';
import { type CryptoSuite, checkSuite, encodeBase64 } from '@offcode/protocol';
import { AtRestCipher, aad, ENCRYPTION_AES_GCM } from './at-rest.js';
import type { OffcodeConfig } from './config.js';
import type { ServerContext, ServerHooks } from './context.js';
import { createEnrollmentService } from './enrollment/service.js';
import { OffcodeError } from './errors.js';
import { sqlPayloadRegistry } from './repo/payload-registry.js';
import { mapMasterKey } from './repo/rows.js';
import { requestSchemas } from './schema/requests.js';
import {
  SERVER_SEALED_GROUPS,
  type SealedGroup,
  selectList,
  tableSetSealedGroups,
} from './sealed-columns.js';
import { createActivationList } from './services/activation-list.js';
import { createActivationService } from './services/activations.js';
import { createApplicationService } from './services/applications.js';
import { createAuditService } from './services/audit.js';
import { createOfflineCreateService } from './services/offline-create.js';
import { createResealService } from './services/reseal.js';
import { createMaintenanceService, createSystemService } from './services/system.js';
import { createVerifyService } from './services/verify.js';
import { SERVER_MIGRATIONS } from './storage/migrate.js';
import type { TableSet } from './storage/table-set.js';
import type { Storage } from './storage/types.js';
import { prepareTableSets } from './table-access.js';

export interface CreateOffcodeServerOptions {
  config: OffcodeConfig;
  storage: Storage;
  /** Clock in epoch milliseconds (default Date.now); tests move time with it. */
  clock?: () => number;
  /**
   * Crypto engine; default from `config.cryptoBackend`. Every hash, MAC and code computation of the server
   * runs on it (ECDH, ECDSA and AES on node:crypto where present, else @noble): there is no other switch.
   */
  crypto?: OffcodeCrypto;
  /** Test-only interception points. */
  hooks?: ServerHooks;
  /** Skip the start-up check of encrypted rows against the configured keys (default false). */
  skipKeyCheck?: boolean;
  /**
   * Table sets of other owners (`defineTableSet`, server.md §5.7): migrated by the server's runner at start
   * (or refused when behind and OFFCODE_AUTO_MIGRATE=false), their sealed columns covered by the start-up key
   * check and by `maintenance.reseal()`, their tables reachable through `server.tables(namespace)`.
   */
  tableSets?: readonly TableSet[];
}

/** The server's one suite: the configured (or given) engine and EC/AES `auto`. */
function buildSuite(config: OffcodeConfig, engine: OffcodeCrypto | undefined): CryptoSuite {
  try {
    return checkSuite({ engine: engine ?? getOffcodeCrypto(config.cryptoBackend), impl: 'auto' });
  } catch (error) {
    throw new OffcodeError('ERR0023', undefined, { cause: error });
  }
}

/**
 * Start-up cross-checks (server.md §4): encrypted rows without a key → ERR0020; the newest encrypted master
 * key must decrypt with the configured keys, else ERR0021/ERR0022 naming its key id.
 */
async function checkAtRestKeys(ctx: ServerContext): Promise<void> {
  const { storage, cipher } = ctx;
  if (!cipher.enabled) {
    const r = await storage.query<{ n: boolean }>(
      `SELECT (EXISTS (SELECT 1 FROM oc_master_keypair WHERE private_key_encryption = 1)
            OR EXISTS (SELECT 1 FROM oc_activation WHERE key_encryption = 1)) AS n`,
    );
    if (r.rows[0]?.n) {
      throw new OffcodeError(
        'ERR0020',
        'Encrypted keys exist in the database but OFFCODE_MASTER_KEY is not set.',
      );
    }
    return;
  }
  const r = await storage.query<Record<string, unknown>>(
    `SELECT k.*, a.name AS app_name FROM oc_master_keypair k JOIN oc_application a ON a.id = k.application_id
     WHERE k.private_key_encryption = $1 ORDER BY k.id DESC LIMIT 1`,
    [ENCRYPTION_AES_GCM],
  );
  const raw = r.rows[0];
  if (!raw) return;
  const row = mapMasterKey(raw);
  try {
    cipher
      .open(
        row.privateKey,
        row.privateKeyEncryption,
        aad.masterPrivateKey(String(raw.app_name), row.algorithm, encodeBase64(row.publicKey)),
      )
      .fill(0);
  } catch (error) {
    const keyId = AtRestCipher.envelopeKeyId(row.privateKey) ?? 'unknown';
    const code = error instanceof OffcodeError ? error.code : 'ERR0022';
    throw new OffcodeError(
      code,
      `The newest encrypted master key (key id ${keyId}) cannot be decrypted with the configured OFFCODE_MASTER_KEY(_PREVIOUS).`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Start-up check of the table sets' sealed columns (server.md §5.7): sealed values without a configured key
 * → ERR0020; the newest sealed value of each column must open with the configured keys (ERR0021/ERR0022
 * naming the column and the key id).
 */
async function checkTableSetKeys(ctx: ServerContext, groups: readonly SealedGroup[]): Promise<void> {
  for (const g of groups) {
    const r = await ctx.storage.query<Record<string, unknown>>(
      `SELECT ${selectList(g)} FROM ${g.from} WHERE t.${g.encryption} = $1 ORDER BY t.${g.newest} DESC LIMIT 1`,
      [ENCRYPTION_AES_GCM],
    );
    const row = r.rows[0];
    if (!row) continue;
    for (const c of g.columns) {
      const stored = row[c];
      if (!(stored instanceof Uint8Array)) continue;
      try {
        ctx.cipher.open(stored, ENCRYPTION_AES_GCM, g.aad(c, row)).fill(0);
      } catch (error) {
        const keyId = AtRestCipher.envelopeKeyId(stored) ?? 'unknown';
        const code = error instanceof OffcodeError ? error.code : 'ERR0022';
        const what = ctx.cipher.enabled
          ? 'cannot be decrypted with the configured OFFCODE_MASTER_KEY(_PREVIOUS)'
          : 'is encrypted but OFFCODE_MASTER_KEY is not set';
        throw new OffcodeError(code, `The newest sealed ${g.table}.${c} (key id ${keyId}) ${what}.`, {
          cause: error,
        });
      }
    }
  }
}

export async function createOffcodeServer(options: CreateOffcodeServerOptions) {
  const { config, storage } = options;
  const clock = options.clock ?? Date.now;
  const suite = buildSuite(config, options.crypto);
  const ctx: ServerContext = {
    config,
    storage,
    cipher: new AtRestCipher(config.masterKey, config.masterKeyPrevious, (key, data) =>
      suite.engine.hmacSha256(key, data),
    ),
    suite,
    schemas: requestSchemas(config),
    registry: sqlPayloadRegistry,
    hooks: options.hooks ?? {},
    now: () => new Date(clock()),
  };
  if (!options.skipKeyCheck) await checkAtRestKeys(ctx);
  const tableSets = options.tableSets ?? [];
  const tables = await prepareTableSets(ctx, tableSets);
  const tableSetGroups = tableSets.flatMap(tableSetSealedGroups);
  if (!options.skipKeyCheck) await checkTableSetKeys(ctx, tableSetGroups);

  const offlineCreate = createOfflineCreateService(ctx);
  const verify = createVerifyService(ctx);
  const maintenance = createMaintenanceService(ctx);
  let timer: ReturnType<typeof setInterval> | null = null;

  return {
    config,
    /** Request schemas (validation + JSON Schema for OpenAPI) for this configuration. */
    schemas: ctx.schemas,
    applications: createApplicationService(ctx),
    activations: { ...createActivationService(ctx), list: createActivationList(ctx) },
    offline: {
      createPersonalized: offlineCreate.createPersonalized,
      createNonPersonalized: offlineCreate.createNonPersonalized,
      verify: verify.verify,
      verifyOutcome: verify.verifyOutcome,
      verifyTyped: verify.verifyTyped,
    },
    audit: createAuditService(ctx),
    /** PowerAuth 3.3 device enrollment, the `/pa/v3/*` entry points (activation.md). */
    enrollment: createEnrollmentService(ctx),
    system: createSystemService(ctx, [SERVER_MIGRATIONS, ...tableSets]),
    /** The tables of a registered table set (server.md §5.7); TableScopeError for an unknown namespace. */
    tables,
    maintenance: {
      sweep: maintenance.sweep,
      /** Re-seals every sealed value not under the current OFFCODE_MASTER_KEY (server.md §5.2). */
      reseal: createResealService(ctx, [...SERVER_SEALED_GROUPS, ...tableSetGroups]),
      /**
       * Runs `sweep()` every OFFCODE_TEMP_BLOCK_SWEEP_MS (0 = never) until `stop()`/`close()`; failures are
       * reported to `onError` and retried at the next tick. The timer does not keep the process alive.
       */
      start(onError: (error: unknown) => void = () => undefined): () => void {
        if (timer || config.tempBlockSweepMs === 0) return () => undefined;
        let running = false;
        timer = setInterval(() => {
          if (running) return;
          running = true;
          maintenance
            .sweep()
            .catch(onError)
            .finally(() => {
              running = false;
            });
        }, config.tempBlockSweepMs);
        timer.unref?.();
        return () => {
          if (timer) clearInterval(timer);
          timer = null;
        };
      },
    },
    /** Stops background work. The storage belongs to the caller and stays open. */
    async close(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

export type OffcodeServer = Awaited<ReturnType<typeof createOffcodeServer>>;
