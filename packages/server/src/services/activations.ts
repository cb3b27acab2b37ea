/** Activations: init, plain key exchange (V3/V4), commit, status, block/unblock/remove, history (server.md §2.4, §3.7, §3.8). */
import { randomUUID } from 'node:crypto';
import {
  deriveActivationSecretV4,
  encodeBase64,
  generateActivationCode,
  generateCounterData,
  generateKeyPair,
  normalizePublicKey,
  ProtocolError,
  type ProtocolVersion,
  signEcdsaDer,
  utf8Encode,
} from '@offcode/protocol';
import { aad } from '../at-rest.js';
import type { ServerContext } from '../context.js';
import { OffcodeError } from '../errors.js';
import { algorithmFor, curveFor, openMasterPrivateKey } from '../keys.js';
import {
  activationIdExists,
  findActivation,
  findActivationByCode,
  insertActivation,
  insertHistory,
  listHistory,
  listVersions,
  newestMasterKey,
  updateActivation,
} from '../repo/queries.js';
import { type ActivationRow, ActivationStatus, type ActivationStatusName, statusName } from '../repo/rows.js';
import { parseRequest } from '../schema/core.js';
import type { CommitPhase } from '../schema/requests.js';
import type { SqlExecutor } from '../storage/types.js';
import { inTransaction, read, service } from '../transactions.js';
import { requireApplication } from './applications.js';
import { applyDueBlockExpiry, refreshDueBlockExpiry } from './blocking.js';

const GENERATION_ATTEMPTS = 10;

export interface ActivationInitResponse {
  activationId: string;
  activationCode: string;
  activationSignature: string;
  activationSignatures: { EC_P256: string; EC_P384: string };
  userId: string;
  applicationId: string;
}

export interface ActivationExchangeResponse {
  activationId: string;
  userId: string;
  activationStatus: ActivationStatusName;
  protocolVersion: ProtocolVersion;
  serverPublicKey: string;
  ctrData: string;
  masterPublicKey: string;
  offlineComponentLength: number;
}

export interface ActivationStatusResponse {
  activationId: string;
  activationStatus: ActivationStatusName;
  blockedReason: string | null;
  activationName: string | null;
  userId: string | null;
  applicationId: string | null;
  applicationRoles: string[];
  activationFlags: string[];
  failedAttempts: number | null;
  maxFailedAttempts: number | null;
  commitPhase: CommitPhase | null;
  protocol: 'powerauth' | null;
  version: ProtocolVersion | null;
  timestampCreated: string | null;
  timestampLastUsed: string | null;
  timestampLastChange: string | null;
  activationCode: string | null;
  activationSignature: string | null;
  encryptedStatusBlob: null;
  protocolVersion: ProtocolVersion | null;
  counter: number | null;
  biometryEnabled: boolean | null;
  blockExpiresAt: string | null;
  temporaryBlockCount: number | null;
  timestampActivationExpire: string | null;
}

export interface ActivationHistoryItem {
  id: number;
  activationStatus: ActivationStatusName;
  eventReason: string | null;
  externalUserId: string | null;
  timestampCreated: string;
}

export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function unknownStatus(activationId: string): ActivationStatusResponse {
  return {
    activationId,
    activationStatus: 'REMOVED',
    blockedReason: null,
    activationName: null,
    userId: null,
    applicationId: null,
    applicationRoles: [],
    activationFlags: [],
    failedAttempts: null,
    maxFailedAttempts: null,
    commitPhase: null,
    protocol: null,
    version: null,
    timestampCreated: null,
    timestampLastUsed: null,
    timestampLastChange: null,
    activationCode: null,
    activationSignature: null,
    encryptedStatusBlob: null,
    protocolVersion: null,
    counter: null,
    biometryEnabled: null,
    blockExpiresAt: null,
    temporaryBlockCount: null,
    timestampActivationExpire: null,
  };
}

function statusResponse(row: ActivationRow): ActivationStatusResponse {
  const created = row.status === ActivationStatus.CREATED;
  return {
    activationId: row.activationId,
    activationStatus: statusName(row.status),
    blockedReason: row.status === ActivationStatus.BLOCKED ? row.blockedReason : null,
    activationName: row.activationName,
    userId: row.userId,
    applicationId: row.applicationName,
    applicationRoles: row.applicationRoles,
    activationFlags: row.flags,
    failedAttempts: row.failedAttempts,
    maxFailedAttempts: row.maxFailedAttempts,
    commitPhase: row.commitPhase,
    protocol: 'powerauth',
    version: row.protocolVersion,
    timestampCreated: iso(row.timestampCreated),
    timestampLastUsed: iso(row.timestampLastUsed),
    timestampLastChange: iso(row.timestampLastChange),
    activationCode: created ? row.activationCode : null,
    activationSignature: created ? row.activationSignatureP256 : null,
    encryptedStatusBlob: null,
    protocolVersion: row.protocolVersion,
    counter: row.counter,
    biometryEnabled: row.biometryEnabled,
    blockExpiresAt: iso(row.blockExpiresAt),
    temporaryBlockCount: row.temporaryBlockCount,
    timestampActivationExpire: iso(row.timestampActivationExpire),
  };
}

async function requireLocked(tx: SqlExecutor, activationId: string, now: Date): Promise<ActivationRow> {
  const row = await findActivation(tx, activationId, true);
  if (!row) throw new OffcodeError('ERR0009', undefined, { field: 'activationId' });
  return applyDueBlockExpiry(tx, row, now);
}

async function setStatus(
  tx: SqlExecutor,
  row: ActivationRow,
  status: ActivationRow['status'],
  now: Date,
  history: { reason: string | null; externalUserId: string | null },
  extra: Parameters<typeof updateActivation>[2] = {},
): Promise<void> {
  await updateActivation(tx, row.activationId, { status, timestampLastChange: now, ...extra });
  await insertHistory(tx, { activationId: row.activationId, status, now, ...history });
}

/** The key-material columns a REMOVED activation must not keep (crypto-shredding, server.md §6.8). */
const SHRED = { serverPrivateKey: null, activationSecret: null } as const;

/** Marker so that an expiry (status → REMOVED) commits before ERR0007 is thrown. */
class ExpiredMarker {}

export function createActivationService(ctx: ServerContext) {
  const schemas = ctx.schemas;

  function exchangeResponse(row: ActivationRow, masterPublicKey: Uint8Array): ActivationExchangeResponse {
    return {
      activationId: row.activationId,
      userId: row.userId,
      activationStatus: statusName(row.status),
      protocolVersion: row.protocolVersion!,
      serverPublicKey: encodeBase64(row.serverPublicKey!),
      ctrData: encodeBase64(row.ctrData!),
      masterPublicKey: encodeBase64(masterPublicKey),
      offlineComponentLength: ctx.config.componentLength,
    };
  }

  return {
    init: (request: unknown): Promise<ActivationInitResponse> =>
      service(async () => {
        const req = parseRequest(schemas.activationInit, request);
        const now = ctx.now();
        return inTransaction(ctx, async (tx) => {
          const app = await requireApplication(tx, req.applicationId);
          const [p256, p384] = await Promise.all([
            newestMasterKey(tx, app.id, 'EC_P256'),
            newestMasterKey(tx, app.id, 'EC_P384'),
          ]);
          if (!p256 || !p384) throw new OffcodeError('ERR0003');
          const priv256 = openMasterPrivateKey(ctx, app, p256);
          const priv384 = openMasterPrivateKey(ctx, app, p384);
          try {
            let idCollisions = 0;
            let codeCollisions = 0;
            while (idCollisions < GENERATION_ATTEMPTS && codeCollisions < GENERATION_ATTEMPTS) {
              const activationId = (ctx.hooks.generateActivationId ?? randomUUID)();
              const activationCode = (ctx.hooks.generateActivationCode ?? generateActivationCode)();
              const codeBytes = utf8Encode(activationCode);
              const signatureP256 = encodeBase64(signEcdsaDer(ctx.suite, 'P-256', priv256, codeBytes));
              const signatureP384 = encodeBase64(signEcdsaDer(ctx.suite, 'P-384', priv384, codeBytes));
              const inserted = await insertActivation(tx, {
                activationId,
                applicationId: app.id,
                userId: req.userId,
                activationCode,
                signatureP256,
                signatureP384,
                commitPhase: req.commitPhase ?? (app.commitOnKeyExchange ? 'ON_KEY_EXCHANGE' : 'ON_COMMIT'),
                flags: req.flags ?? [],
                maxFailedAttempts: req.maxFailureCount ?? ctx.config.maxFailedAttempts,
                expiresAt:
                  req.timestampActivationExpire ?? new Date(now.getTime() + ctx.config.activationExpireMs),
                now,
              });
              if (!inserted) {
                if (await activationIdExists(tx, activationId)) idCollisions++;
                else codeCollisions++;
                continue;
              }
              await insertHistory(tx, {
                activationId,
                status: ActivationStatus.CREATED,
                reason: null,
                externalUserId: null,
                now,
              });
              return {
                activationId,
                activationCode,
                activationSignature: signatureP256,
                activationSignatures: { EC_P256: signatureP256, EC_P384: signatureP384 },
                userId: req.userId,
                applicationId: app.name,
              };
            }
            throw new OffcodeError(idCollisions >= GENERATION_ATTEMPTS ? 'ERR0005' : 'ERR0006');
          } finally {
            priv256.fill(0);
            priv384.fill(0);
          }
        });
      }),

    /** Offcode plain key exchange (server.md §3.7); idempotent for an exact retry. */
    exchange: (request: unknown): Promise<ActivationExchangeResponse> =>
      service(async () => {
        const req = parseRequest(schemas.activationExchange, request);
        const version = req.protocolVersion;
        const curve = curveFor(version);
        const now = ctx.now();
        const result = await inTransaction(
          ctx,
          async (tx): Promise<ActivationExchangeResponse | ExpiredMarker> => {
            const row = await findActivationByCode(tx, req.activationCode, true);
            if (!row) throw new OffcodeError('ERR0009', undefined, { field: 'activationCode' });
            const beforeExpiry = now.getTime() < row.timestampActivationExpire.getTime();

            if (row.status === ActivationStatus.PENDING_COMMIT || row.status === ActivationStatus.ACTIVE) {
              // Exact retry of a committed exchange (lost answer): same answer, nothing written.
              let sameKey = false;
              try {
                const requested = normalizePublicKey(curve, req.devicePublicKey);
                sameKey =
                  row.protocolVersion === version &&
                  row.devicePublicKey !== null &&
                  Buffer.from(requested).equals(Buffer.from(row.devicePublicKey));
              } catch {
                sameKey = false;
              }
              if (sameKey && row.counter === 0 && beforeExpiry) {
                const master = await newestMasterKey(tx, row.applicationId, algorithmFor(version));
                if (!master) throw new OffcodeError('ERR0003');
                return exchangeResponse(row, master.publicKey);
              }
            }
            if (row.status !== ActivationStatus.CREATED) throw new OffcodeError('ERR0008');
            if (!beforeExpiry) {
              await setStatus(
                tx,
                row,
                ActivationStatus.REMOVED,
                now,
                { reason: 'ACTIVATION_EXPIRED', externalUserId: null },
                SHRED,
              );
              return new ExpiredMarker();
            }
            if (req.applicationId !== undefined && req.applicationId !== row.applicationName) {
              throw new OffcodeError('ERR0015', undefined, { field: 'applicationId' });
            }
            if (req.applicationKey !== undefined) {
              const versions = await listVersions(tx, row.applicationId);
              if (!versions.some((v) => v.supported && v.applicationKey === req.applicationKey)) {
                throw new OffcodeError('ERR0015', undefined, { field: 'applicationKey' });
              }
            }
            if (!ctx.config.protocolVersions.includes(version)) {
              throw new OffcodeError('ERR0047', undefined, { field: 'protocolVersion' });
            }
            let devicePublicKey: Uint8Array;
            try {
              devicePublicKey = normalizePublicKey(curve, req.devicePublicKey);
            } catch (error) {
              if (error instanceof ProtocolError) {
                throw new OffcodeError('ERR0010', `devicePublicKey - must be a ${curve} public key`, {
                  field: 'devicePublicKey',
                });
              }
              throw error;
            }
            const master = await newestMasterKey(tx, row.applicationId, algorithmFor(version));
            if (!master) throw new OffcodeError('ERR0003');

            const serverPair = generateKeyPair(ctx.suite, curve);
            const ctrData = generateCounterData(version);
            let secretColumn: { serverPrivateKey: Uint8Array | null; activationSecret: Uint8Array | null };
            let encryption: number;
            if (version === 3) {
              const sealed = ctx.cipher.seal(
                serverPair.privateKey,
                aad.serverPrivateKey(row.activationId, 3),
              );
              secretColumn = { serverPrivateKey: sealed.bytes, activationSecret: null };
              encryption = sealed.encryption;
            } else {
              const secret = deriveActivationSecretV4(ctx.suite, serverPair.privateKey, devicePublicKey);
              const sealed = ctx.cipher.seal(secret, aad.activationSecret(row.activationId, 4));
              secret.fill(0);
              secretColumn = { serverPrivateKey: null, activationSecret: sealed.bytes };
              encryption = sealed.encryption;
            }
            // V4 discards the ephemeral server private key; V3 keeps only the sealed copy.
            serverPair.privateKey.fill(0);
            const status =
              row.commitPhase === 'ON_KEY_EXCHANGE'
                ? ActivationStatus.ACTIVE
                : ActivationStatus.PENDING_COMMIT;
            const changes = {
              status,
              protocolVersion: version,
              activationName: req.activationName ?? null,
              devicePublicKey,
              serverPublicKey: serverPair.publicKey,
              ...secretColumn,
              keyEncryption: encryption,
              biometryEnabled: req.enableBiometry,
              counter: 0,
              ctrData,
              failedAttempts: 0,
              timestampLastChange: now,
            };
            await updateActivation(tx, row.activationId, changes);
            await insertHistory(tx, {
              activationId: row.activationId,
              status,
              reason: 'KEY_EXCHANGE',
              externalUserId: null,
              now,
            });
            return exchangeResponse({ ...row, ...changes }, master.publicKey);
          },
          { lock: true },
        );
        if (result instanceof ExpiredMarker) throw new OffcodeError('ERR0007');
        return result;
      }),

    commit: (request: unknown): Promise<{ activationId: string; activated: true }> =>
      service(async () => {
        const req = parseRequest(schemas.activationCommit, request);
        const now = ctx.now();
        const result = await inTransaction(
          ctx,
          async (tx) => {
            const row = await requireLocked(tx, req.activationId, now);
            if (row.status !== ActivationStatus.PENDING_COMMIT) throw new OffcodeError('ERR0008');
            if (now.getTime() >= row.timestampActivationExpire.getTime()) {
              await setStatus(
                tx,
                row,
                ActivationStatus.REMOVED,
                now,
                { reason: 'ACTIVATION_EXPIRED', externalUserId: null },
                SHRED,
              );
              return new ExpiredMarker();
            }
            await setStatus(tx, row, ActivationStatus.ACTIVE, now, {
              reason: 'COMMIT',
              externalUserId: req.externalUserId ?? null,
            });
            return { activationId: row.activationId, activated: true as const };
          },
          { lock: true },
        );
        if (result instanceof ExpiredMarker) throw new OffcodeError('ERR0007');
        return result;
      }),

    /** PA status plus extensions; an unknown id answers REMOVED with null fields (PA behaviour). */
    status: (request: unknown): Promise<ActivationStatusResponse> =>
      service(async () => {
        const req = parseRequest(schemas.activationStatus, request);
        const row = await read(() => findActivation(ctx.storage, req.activationId));
        if (!row) return unknownStatus(req.activationId);
        return statusResponse(await refreshDueBlockExpiry(ctx, row));
      }),

    block: (
      request: unknown,
    ): Promise<{
      activationId: string;
      activationStatus: ActivationStatusName;
      blockedReason: string | null;
    }> =>
      service(async () => {
        const req = parseRequest(schemas.activationBlock, request);
        const now = ctx.now();
        return inTransaction(
          ctx,
          async (tx) => {
            const row = await requireLocked(tx, req.activationId, now);
            if (row.status === ActivationStatus.BLOCKED && row.blockExpiresAt === null) {
              // already blocked for good: unchanged
              return {
                activationId: row.activationId,
                activationStatus: 'BLOCKED' as const,
                blockedReason: row.blockedReason,
              };
            }
            if (row.status !== ActivationStatus.ACTIVE && row.status !== ActivationStatus.BLOCKED) {
              throw new OffcodeError('ERR0008');
            }
            // ACTIVE -> BLOCKED; a temporary block becomes permanent (it must not expire by itself any more).
            await setStatus(
              tx,
              row,
              ActivationStatus.BLOCKED,
              now,
              { reason: req.reason, externalUserId: req.externalUserId ?? null },
              { blockedReason: req.reason, blockExpiresAt: null },
            );
            return {
              activationId: row.activationId,
              activationStatus: 'BLOCKED' as const,
              blockedReason: req.reason,
            };
          },
          { lock: true },
        );
      }),

    unblock: (request: unknown): Promise<{ activationId: string; activationStatus: ActivationStatusName }> =>
      service(async () => {
        const req = parseRequest(schemas.activationUnblock, request);
        const now = ctx.now();
        return inTransaction(
          ctx,
          async (tx) => {
            const row = await requireLocked(tx, req.activationId, now);
            if (row.status === ActivationStatus.ACTIVE)
              return { activationId: row.activationId, activationStatus: 'ACTIVE' as const };
            if (row.status !== ActivationStatus.BLOCKED) throw new OffcodeError('ERR0008');
            await setStatus(
              tx,
              row,
              ActivationStatus.ACTIVE,
              now,
              { reason: 'UNBLOCKED', externalUserId: req.externalUserId ?? null },
              { failedAttempts: 0, temporaryBlockCount: 0, blockedReason: null, blockExpiresAt: null },
            );
            return { activationId: row.activationId, activationStatus: 'ACTIVE' as const };
          },
          { lock: true },
        );
      }),

    remove: (request: unknown): Promise<{ activationId: string; removed: true }> =>
      service(async () => {
        const req = parseRequest(schemas.activationRemove, request);
        const now = ctx.now();
        return inTransaction(
          ctx,
          async (tx) => {
            const row = await findActivation(tx, req.activationId, true);
            if (!row) throw new OffcodeError('ERR0009', undefined, { field: 'activationId' });
            if (row.status !== ActivationStatus.REMOVED) {
              await setStatus(
                tx,
                row,
                ActivationStatus.REMOVED,
                now,
                { reason: 'REMOVED', externalUserId: req.externalUserId ?? null },
                { ...SHRED, blockExpiresAt: null },
              );
            }
            return { activationId: row.activationId, removed: true as const };
          },
          { lock: true },
        );
      }),

    /** *ext*: the status-change history of an activation, oldest first (ERR0009 for an unknown id). */
    history: (request: unknown): Promise<{ activationId: string; items: ActivationHistoryItem[] }> =>
      service(async () => {
        const req = parseRequest(schemas.activationStatus, request);
        const rows = await read(async () => {
          if (!(await activationIdExists(ctx.storage, req.activationId))) {
            throw new OffcodeError('ERR0009', undefined, { field: 'activationId' });
          }
          return listHistory(ctx.storage, req.activationId);
        });
        return {
          activationId: req.activationId,
          items: rows.map((h) => ({
            id: h.id,
            activationStatus: statusName(h.status),
            eventReason: h.eventReason,
            externalUserId: h.externalUserId,
            timestampCreated: h.timestampCreated.toISOString(),
          })),
        };
      }),
  };
}

export type ActivationService = ReturnType<typeof createActivationService>;
