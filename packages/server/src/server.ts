/**
 * createOffcodeServer({config, storage}) → the service surface of server.md §5.6. apps/api only adds routing,
 * envelopes, credentials, metrics and the demo on top.
 */
import { getOffcodeCrypto, type OffcodeCrypto } from '@offcode/crypto-wasm';
import { type CryptoSuite, checkSuite, encodeBase64 } from '@offcode/protocol';
import { AtRestCipher, aad, ENCRYPTION_AES_GCM } from './at-rest.js';
import type { OffcodeConfig } from './config.js';
import type { ServerContext, ServerHooks } from './context.js';
import { OffcodeError } from './errors.js';
import { sqlPayloadRegistry } from './repo/payload-registry.js';
import { mapMasterKey } from './repo/rows.js';
import { requestSchemas } from './schema/requests.js';
import { createActivationService } from './services/activations.js';
import { createApplicationService } from './services/applications.js';
import { createAuditService } from './services/audit.js';
import { createOfflineCreateService } from './services/offline-create.js';
import { createMaintenanceService, createSystemService } from './services/system.js';
import { createVerifyService } from './services/verify.js';
import type { Storage } from './storage/types.js';

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

  const offlineCreate = createOfflineCreateService(ctx);
  const verify = createVerifyService(ctx);
  const maintenance = createMaintenanceService(ctx);
  let timer: ReturnType<typeof setInterval> | null = null;

  return {
    config,
    storage,
    /** Request schemas (validation + JSON Schema for OpenAPI) for this configuration. */
    schemas: ctx.schemas,
    applications: createApplicationService(ctx),
    activations: createActivationService(ctx),
    offline: {
      createPersonalized: offlineCreate.createPersonalized,
      createNonPersonalized: offlineCreate.createNonPersonalized,
      verify: verify.verify,
      verifyOutcome: verify.verifyOutcome,
      verifyTyped: verify.verifyTyped,
    },
    audit: createAuditService(ctx),
    system: createSystemService(ctx),
    maintenance: {
      sweep: maintenance.sweep,
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
