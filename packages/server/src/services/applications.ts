/** Applications, versions and master key pairs (server.md §2.3). */
import { randomBytes } from 'node:crypto';
import { encodeBase64, tryDecodeBase64Strict } from '@offcode/protocol';
import { encodeMobileSdkConfig, SDK_CONFIG_KEY_IDS } from '@offcode/protocol/pa3';
import type { ServerContext } from '../context.js';
import { OffcodeError } from '../errors.js';
import { createMasterKeyPair } from '../keys.js';
import {
  findApplicationByName,
  insertApplication,
  insertVersion,
  listApplications,
  listVersions,
  newestMasterKey,
} from '../repo/queries.js';
import type { ApplicationRow } from '../repo/rows.js';
import { parseRequest } from '../schema/core.js';
import type { SqlExecutor } from '../storage/types.js';
import { inTransaction, read, service } from '../transactions.js';

export interface ApplicationSummary {
  applicationId: string;
  applicationRoles: string[];
}

export interface ApplicationVersionInfo {
  applicationVersionId: string;
  applicationKey: string;
  applicationSecret: string;
  /**
   * The PowerAuth mobile SDK configuration string (activation.md 11: key, secret and the P-256 master public
   * key in one Base64 value); `null` when the application has no P-256 master key.
   */
  mobileSdkConfig: string | null;
  supported: boolean;
}

export interface ApplicationDetail extends ApplicationSummary {
  /** Base64 uncompressed P-256 master public key (65 B). */
  masterPublicKey: string | null;
  versions: ApplicationVersionInfo[];
  masterPublicKeys: { EC_P256: string | null; EC_P384: string | null };
  commitOnKeyExchange: boolean;
}

export interface ApplicationVersionCreated {
  applicationVersionId: string;
  applicationKey: string;
  applicationSecret: string;
  supported: boolean;
}

const randomB64 = (n: number): string => encodeBase64(new Uint8Array(randomBytes(n)));

/** activation.md 11; `null` without a P-256 master key or for key/secret values that are not 16 bytes. */
function mobileSdkConfigOf(key: string, secret: string, p256: Uint8Array | undefined): string | null {
  const applicationKey = tryDecodeBase64Strict(key);
  const applicationSecret = tryDecodeBase64Strict(secret);
  if (!p256 || applicationKey?.length !== 16 || applicationSecret?.length !== 16) return null;
  const keys: [number, Uint8Array][] = [[SDK_CONFIG_KEY_IDS.MASTER_P256_PUBLIC, p256]];
  return encodeMobileSdkConfig({ applicationKey, applicationSecret, keys });
}

export async function requireApplication(db: SqlExecutor, name: string): Promise<ApplicationRow> {
  const app = await findApplicationByName(db, name);
  if (!app) throw new OffcodeError('ERR0015', undefined, { field: 'applicationId' });
  return app;
}

async function insertVersionOrFail(
  tx: SqlExecutor,
  app: ApplicationRow,
  name: string,
  now: Date,
): Promise<ApplicationVersionCreated> {
  const key = randomB64(16);
  const secret = randomB64(16);
  if (!(await insertVersion(tx, { applicationId: app.id, name, key, secret, now }))) {
    throw new OffcodeError('ERR0043', 'Application version already exists.', {
      field: 'applicationVersionId',
    });
  }
  return { applicationVersionId: name, applicationKey: key, applicationSecret: secret, supported: true };
}

export function createApplicationService(ctx: ServerContext) {
  const schemas = ctx.schemas;
  return {
    /** Creates an application with a P-256 and a P-384 master key pair and a version `default`, atomically. */
    create: (request: unknown): Promise<ApplicationSummary> =>
      service(async () => {
        const req = parseRequest(schemas.applicationCreate, request);
        const now = ctx.now();
        return inTransaction(ctx, async (tx) => {
          const id = await insertApplication(tx, {
            name: req.applicationId,
            roles: req.applicationRoles,
            commitOnKeyExchange: req.commitOnKeyExchange,
            now,
          });
          if (id === null) throw new OffcodeError('ERR0043', undefined, { field: 'applicationId' });
          const app = { id, name: req.applicationId };
          await createMasterKeyPair(ctx, tx, app, 'EC_P256', now);
          await createMasterKeyPair(ctx, tx, app, 'EC_P384', now);
          await insertVersionOrFail(
            tx,
            {
              ...app,
              roles: req.applicationRoles,
              commitOnKeyExchange: req.commitOnKeyExchange,
              createdAt: now,
            },
            'default',
            now,
          );
          return { applicationId: req.applicationId, applicationRoles: req.applicationRoles };
        });
      }),

    detail: (request: unknown): Promise<ApplicationDetail> =>
      service(async () => {
        const req = parseRequest(schemas.applicationDetail, request);
        return read(async () => {
          const app = await requireApplication(ctx.storage, req.applicationId);
          const [p256, p384, versions] = await Promise.all([
            newestMasterKey(ctx.storage, app.id, 'EC_P256'),
            newestMasterKey(ctx.storage, app.id, 'EC_P384'),
            listVersions(ctx.storage, app.id),
          ]);
          const b64 = (k: { publicKey: Uint8Array } | null): string | null =>
            k ? encodeBase64(k.publicKey) : null;
          return {
            applicationId: app.name,
            applicationRoles: app.roles,
            masterPublicKey: b64(p256),
            versions: versions.map((v) => ({
              applicationVersionId: v.name,
              applicationKey: v.applicationKey,
              applicationSecret: v.applicationSecret,
              mobileSdkConfig: mobileSdkConfigOf(v.applicationKey, v.applicationSecret, p256?.publicKey),
              supported: v.supported,
            })),
            masterPublicKeys: { EC_P256: b64(p256), EC_P384: b64(p384) },
            commitOnKeyExchange: app.commitOnKeyExchange,
          };
        });
      }),

    list: (request: unknown = {}): Promise<{ applications: ApplicationSummary[] }> =>
      service(async () => {
        parseRequest(schemas.applicationList, request);
        const apps = await read(() => listApplications(ctx.storage));
        return { applications: apps.map((a) => ({ applicationId: a.name, applicationRoles: a.roles })) };
      }),

    createVersion: (request: unknown): Promise<ApplicationVersionCreated> =>
      service(async () => {
        const req = parseRequest(schemas.applicationVersionCreate, request);
        const now = ctx.now();
        return inTransaction(ctx, async (tx) => {
          const app = await requireApplication(tx, req.applicationId);
          return insertVersionOrFail(tx, app, req.applicationVersionId, now);
        });
      }),

    /**
     * *ext*: adds a new P-256 and P-384 master key pair; from now on the newest pair signs. Old pairs stay
     * (payloads and activation signatures made with them remain verifiable by clients that pinned them).
     */
    rotateMasterKeys: (
      request: unknown,
    ): Promise<{ applicationId: string; masterPublicKeys: { EC_P256: string; EC_P384: string } }> =>
      service(async () => {
        const req = parseRequest(schemas.applicationDetail, request);
        const now = ctx.now();
        return inTransaction(ctx, async (tx) => {
          const app = await requireApplication(tx, req.applicationId);
          const p256 = await createMasterKeyPair(ctx, tx, app, 'EC_P256', now);
          const p384 = await createMasterKeyPair(ctx, tx, app, 'EC_P384', now);
          return {
            applicationId: app.name,
            masterPublicKeys: { EC_P256: encodeBase64(p256), EC_P384: encodeBase64(p384) },
          };
        });
      }),
  };
}

export type ApplicationService = ReturnType<typeof createApplicationService>;
