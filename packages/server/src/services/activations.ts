/** Activations: init, the plain key exchange (V3/V4, `exchange/plain.ts`), commit, status, block/unblock/remove, history (server.md §2.4, §3.7, §3.8). */
import { randomUUID } from 'node:crypto';
import {
  encodeBase64,
  generateActivationCode,
  type ProtocolVersion,
  signEcdsaDer,
  utf8Encode,
} from '@offcode/protocol';
import type { ServerContext } from '../context.js';
import { OffcodeError } from '../errors.js';
import { openMasterPrivateKey } from '../keys.js';
import {
  activationIdExists,
  findActivation,
  insertActivation,
  insertHistory,
  listHistory,
  newestMasterKey,
} from '../repo/queries.js';
import { type ActivationRow, ActivationStatus, type ActivationStatusName, statusName } from '../repo/rows.js';
import { parseRequest } from '../schema/core.js';
import type { CommitPhase } from '../schema/requests.js';
import type { SqlExecutor } from '../storage/types.js';
import { inTransaction, read, service } from '../transactions.js';
import { requireApplication } from './applications.js';
import { applyDueBlockExpiry, refreshDueBlockExpiry } from './blocking.js';
import { createPlainExchange } from './exchange/plain.js';
import { SHRED, setActivationStatus } from './exchange/provision.js';

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

const setStatus = setActivationStatus;

/** Marker so that an expiry (status → REMOVED) commits before ERR0007 is thrown. */
class ExpiredMarker {}

/** A new activation: a fresh id and code, signed by the application's newest P-256 and P-384 master keys. */
function initActivation(ctx: ServerContext, request: unknown): Promise<ActivationInitResponse> {
  return service(async () => {
    const req = parseRequest(ctx.schemas.activationInit, request);
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
  });
}

/** ACTIVE → BLOCKED; a temporary block becomes permanent; already blocked for good: unchanged. */
function blockActivation(
  ctx: ServerContext,
  request: unknown,
): Promise<{ activationId: string; activationStatus: ActivationStatusName; blockedReason: string | null }> {
  return service(async () => {
    const req = parseRequest(ctx.schemas.activationBlock, request);
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
  });
}

/** BLOCKED → ACTIVE with the failure counters reset; ACTIVE stays ACTIVE. */
function unblockActivation(
  ctx: ServerContext,
  request: unknown,
): Promise<{ activationId: string; activationStatus: ActivationStatusName }> {
  return service(async () => {
    const req = parseRequest(ctx.schemas.activationUnblock, request);
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
  });
}

export function createActivationService(ctx: ServerContext) {
  const schemas = ctx.schemas;
  const plain = createPlainExchange(ctx);

  return {
    init: (request: unknown): Promise<ActivationInitResponse> => initActivation(ctx, request),

    /** Offcode plain key exchange (server.md §3.7), the `plain` key-exchange mechanism. */
    exchange: plain.exchange,

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
    }> => blockActivation(ctx, request),

    unblock: (request: unknown): Promise<{ activationId: string; activationStatus: ActivationStatusName }> =>
      unblockActivation(ctx, request),

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
