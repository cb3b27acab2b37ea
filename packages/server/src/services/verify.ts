/**
 * Offline verification (server.md §3.5): one transaction holding the activation row lock from the read of
 * CTR_DATA to COMMIT; state checks; registry check; one engine call over the whole window and every TOTP
 * candidate; success/failure updates, blocking and the audit row commit atomically; the answer is built only
 * after COMMIT returned.
 */
import { equalBytes } from '@noble/curves/utils.js';
import { OffcodeCryptoError, type OfflineFactorType } from '@offcode/crypto-wasm';
import {
  decodeBase64Strict,
  deriveKeysV3,
  deriveKeysV4,
  deriveMasterSecretV3,
  encodeBase64,
  offlineDataBytes,
  ProtocolError,
  type ProtocolVersion,
  parseVerifyData,
  totpCandidates,
  verifyDataCandidates,
} from '@offcode/protocol';
import type { ServerContext } from '../context.js';
import { OffcodeError, type OffcodeErrorCode } from '../errors.js';
import { openActivationSecret, openServerPrivateKey } from '../keys.js';
import {
  consumePayload,
  findActivation,
  findPayloadForUpdate,
  insertAudit,
  updateActivation,
} from '../repo/queries.js';
import { type ActivationRow, ActivationStatus, type ActivationStatusName, statusName } from '../repo/rows.js';
import { parseRequest } from '../schema/core.js';
import type { SqlExecutor } from '../storage/types.js';
import { inTransaction, service } from '../transactions.js';
import { iso } from './activations.js';
import { applyDueBlockExpiry, autoBlock } from './blocking.js';
import { checkVersion } from './offline-create.js';

export type SignatureTypeName = 'POSSESSION_KNOWLEDGE' | 'POSSESSION_BIOMETRY';

/** What happened, for metrics (`offcode_verify_total{outcome}`); not part of the wire response. */
export type VerifyResultKind = 'valid' | 'invalid' | 'inactive' | 'unknown_activation';

/** The protocol-neutral verify outcome; `verifyResponseFromOutcome` gives the wire shapes. */
export interface VerifyOutcome {
  /** Metrics only: valid, invalid (code did not match), inactive (not ACTIVE), unknown_activation. */
  result: VerifyResultKind;
  /** Metrics only: the matched window position k (0-based), or null. */
  matchedPosition: number | null;
  /** Metrics only: this verification blocked the activation (`temporary` when the block has an expiry). */
  blocked: { reason: string; temporary: boolean } | null;
  valid: boolean;
  activationStatus: ActivationStatusName;
  blockedReason: string | null;
  activationId: string;
  userId: string | null;
  applicationId: string | null;
  type: SignatureTypeName;
  remainingAttempts: number;
  applicationRoles: string[];
  activationFlags: string[];
  blockExpiresAt: string | null;
  protocolVersion: ProtocolVersion | null;
}

export interface VerifyV3Response {
  signatureValid: boolean;
  activationStatus: ActivationStatusName;
  blockedReason: string | null;
  activationId: string;
  userId: string | null;
  applicationId: string | null;
  signatureType: SignatureTypeName;
  remainingAttempts: number;
  applicationRoles: string[];
  activationFlags: string[];
  blockExpiresAt: string | null;
  protocolVersion: ProtocolVersion | null;
}

export interface VerifyV4Response extends Omit<VerifyV3Response, 'signatureValid' | 'signatureType'> {
  authenticationValid: boolean;
  authenticationCodeType: SignatureTypeName;
}

export type VerifyResponse<V extends ProtocolVersion> = V extends 3 ? VerifyV3Response : VerifyV4Response;

/** The wire response of `/rest/v3/signature/offline/verify` (V3) or `/rest/v4/auth/offline/verify` (V4). */
export function verifyResponseFromOutcome<V extends ProtocolVersion>(
  version: V,
  o: VerifyOutcome,
): VerifyResponse<V> {
  return toWire(version, o) as VerifyResponse<V>;
}

function toWire(version: ProtocolVersion, o: VerifyOutcome): VerifyV3Response | VerifyV4Response {
  const common = {
    activationStatus: o.activationStatus,
    blockedReason: o.blockedReason,
    activationId: o.activationId,
    userId: o.userId,
    applicationId: o.applicationId,
    remainingAttempts: o.remainingAttempts,
    applicationRoles: o.applicationRoles,
    activationFlags: o.activationFlags,
    blockExpiresAt: o.blockExpiresAt,
    protocolVersion: o.protocolVersion,
  };
  return version === 3
    ? { signatureValid: o.valid, ...common, signatureType: o.type }
    : { authenticationValid: o.valid, ...common, authenticationCodeType: o.type };
}

/** The audit notes of the two verify APIs (V3 "signature", V4 "authentication code"). */
const AUDIT_NOTES: Readonly<Record<ProtocolVersion, { match: string; mismatch: string }>> = {
  3: { match: 'signature_ok', mismatch: 'signature_does_not_match' },
  4: { match: 'authentication_ok', mismatch: 'authentication_code_does_not_match' },
};

const TYPE_NAMES: Record<OfflineFactorType, SignatureTypeName> = {
  possession_knowledge: 'POSSESSION_KNOWLEDGE',
  possession_biometry: 'POSSESSION_BIOMETRY',
};

function outcome(
  row: ActivationRow,
  valid: boolean,
  type: SignatureTypeName,
  extra: { result: VerifyResultKind; matchedPosition?: number; blockedNow?: boolean },
): VerifyOutcome {
  const active = row.status === ActivationStatus.ACTIVE;
  return {
    result: extra.result,
    matchedPosition: extra.matchedPosition ?? null,
    blocked:
      extra.blockedNow && row.status === ActivationStatus.BLOCKED
        ? { reason: row.blockedReason ?? '', temporary: row.blockExpiresAt !== null }
        : null,
    valid,
    activationStatus: statusName(row.status),
    blockedReason: row.status === ActivationStatus.BLOCKED ? row.blockedReason : null,
    activationId: row.activationId,
    userId: row.userId,
    applicationId: row.applicationName,
    type,
    remainingAttempts: active ? Math.max(0, row.maxFailedAttempts - row.failedAttempts) : 0,
    applicationRoles: row.applicationRoles,
    activationFlags: row.flags,
    blockExpiresAt: iso(row.blockExpiresAt),
    protocolVersion: row.protocolVersion,
  };
}

function unknownOutcome(activationId: string): VerifyOutcome {
  return {
    result: 'unknown_activation',
    matchedPosition: null,
    blocked: null,
    valid: false,
    activationStatus: 'REMOVED',
    blockedReason: null,
    activationId,
    userId: null,
    applicationId: null,
    type: 'POSSESSION_KNOWLEDGE',
    remainingAttempts: 0,
    applicationRoles: [],
    activationFlags: [],
    blockExpiresAt: null,
    protocolVersion: null,
  };
}

/** An answer that must be thrown only after the transaction committed (registry rejections). */
class CommittedRejection {
  constructor(readonly code: OffcodeErrorCode) {}
}

/** Derives the factor keys once per request (server.md §3.5 step 7). */
function deriveFactorKeys(
  ctx: ServerContext,
  row: ActivationRow,
): { possession: Uint8Array; knowledge: Uint8Array; biometry: Uint8Array; wipe(): void } {
  if (row.protocolVersion === 3) {
    if (!row.devicePublicKey)
      throw new OffcodeError('ERR0010', 'Stored device public key is missing.', { kind: 'internal' });
    const privateKey = openServerPrivateKey(ctx, row);
    try {
      const master = deriveMasterSecretV3(ctx.suite, privateKey, row.devicePublicKey);
      const keys = deriveKeysV3(ctx.suite, master);
      master.fill(0);
      keys.transport.fill(0);
      keys.vault.fill(0);
      return {
        ...keys,
        wipe: () => {
          for (const k of [keys.possession, keys.knowledge, keys.biometry]) k.fill(0);
        },
      };
    } catch (error) {
      if (error instanceof ProtocolError)
        throw new OffcodeError('ERR0010', 'Stored key cannot be parsed.', { cause: error, kind: 'internal' });
      throw error;
    } finally {
      privateKey.fill(0);
    }
  }
  const secret = openActivationSecret(ctx, row);
  try {
    const keys = deriveKeysV4(ctx.suite, secret);
    keys.macPersonalizedData.fill(0);
    keys.macCtrData.fill(0);
    return {
      ...keys,
      wipe: () => {
        for (const k of [keys.possession, keys.knowledge, keys.biometry]) k.fill(0);
      },
    };
  } finally {
    secret.fill(0);
  }
}

export function createVerifyService(ctx: ServerContext) {
  const schemas = ctx.schemas;

  async function verifyOutcome(version: ProtocolVersion, request: unknown): Promise<VerifyOutcome> {
    const req =
      version === 3
        ? (() => {
            const r = parseRequest(schemas.verifyV3, request);
            return { ...r, code: r.signature };
          })()
        : (() => {
            const r = parseRequest(schemas.verifyV4, request);
            return { ...r, code: r.authenticationCode };
          })();
    const allowBiometry = req.allowBiometry ?? req.biometryAllowed ?? false;
    const parsedData = parseVerifyData(req.data);
    const baseDataB64 = encodeBase64(offlineDataBytes(req.data));
    const enforce = ctx.config.payloadRegistry === 'enforce';
    const registryOn = ctx.config.payloadRegistry !== 'off';
    const codeDigest = ctx.cipher.auditCodeDigest(req.activationId, req.code);
    // The submitted code is parsed once, before any MAC: another shape can never match (crypto.md 8.1).
    const shapeOk = new RegExp(`^[0-9]{${req.componentLength}}-[0-9]{${req.componentLength}}$`).test(
      req.code,
    );

    const result = await inTransaction(
      ctx,
      async (tx): Promise<VerifyOutcome | CommittedRejection> => {
        const now = ctx.now();
        let row = await findActivation(tx, req.activationId, true);
        if (!row) {
          if (ctx.config.compatUnknownActivation === 'error')
            throw new OffcodeError('ERR0009', undefined, { field: 'activationId' });
          return unknownOutcome(req.activationId);
        }
        await ctx.hooks.afterVerifyLock?.(tx, row.activationId);
        if (row.protocolVersion !== null && row.protocolVersion !== version)
          throw new OffcodeError('ERR0047');
        row = await applyDueBlockExpiry(tx, row, now);

        const additionalInfo: Record<string, string> = {
          BIOMETRY_ALLOWED: allowBiometry ? 'TRUE' : 'FALSE',
          PROXIMITY_CHECK: req.proximityCheck ? 'TRUE' : 'FALSE',
        };
        const audit = (
          r: ActivationRow,
          fields: {
            valid: boolean;
            note: string;
            type?: SignatureTypeName;
            dataBase64?: string;
            blocked?: ActivationRow;
          },
        ) =>
          insertAudit(tx, {
            activationId: r.activationId,
            userId: r.userId,
            applicationId: r.applicationId,
            protocolVersion: r.protocolVersion,
            counter: r.counter,
            ctrData: r.ctrData,
            status: r.status,
            additionalInfo: {
              ...additionalInfo,
              ...(fields.blocked?.status === ActivationStatus.BLOCKED
                ? {
                    BLOCKED_REASON: fields.blocked.blockedReason ?? '',
                    ...(fields.blocked.blockExpiresAt
                      ? { BLOCK_EXPIRES_AT: fields.blocked.blockExpiresAt.toISOString() }
                      : {}),
                  }
                : {}),
            },
            dataBase64: fields.dataBase64 ?? baseDataB64,
            nonce: parsedData.nonce,
            codeDigest,
            signatureType: fields.type ?? 'POSSESSION_KNOWLEDGE',
            valid: fields.valid,
            note: fields.note,
            now,
          });
        const commitHook = () => ctx.hooks.beforeVerifyCommit?.(tx, row!.activationId);

        // Step 5: state checks.
        if (row.status !== ActivationStatus.ACTIVE) {
          await updateActivation(tx, row.activationId, { timestampLastUsed: now });
          await audit(row, { valid: false, note: 'activation_invalid_state', blocked: row });
          await commitHook();
          return outcome({ ...row, timestampLastUsed: now }, false, 'POSSESSION_KNOWLEDGE', {
            result: 'inactive',
          });
        }
        if (row.failedAttempts >= row.maxFailedAttempts) {
          // Inconsistent row (PA issue #551): block it instead of verifying.
          const blocked = await autoBlock(ctx, tx, row, now);
          await updateActivation(tx, row.activationId, { timestampLastUsed: now });
          await audit(row, { valid: false, note: 'activation_invalid_state_ctr_mismatch', blocked });
          await commitHook();
          return outcome(blocked, false, 'POSSESSION_KNOWLEDGE', { result: 'inactive', blockedNow: true });
        }

        // Step 6: registry check (after the activation lock: lock order activation, then payload).
        let payloadId: number | null = null;
        if (registryOn) {
          const payload = await findPayloadForUpdate(tx, row.applicationId, parsedData.nonce);
          let rejection: OffcodeErrorCode | null = null;
          let note = '';
          if (
            !payload ||
            (payload.activationId !== null && payload.activationId !== row.activationId) ||
            payload.protocolVersion !== version
          ) {
            [rejection, note] = ['OFF-0101', 'payload_not_issued'];
          } else if (payload.consumedAt !== null) {
            [rejection, note] = ['OFF-0103', 'payload_consumed'];
          } else if (payload.expiresAt.getTime() <= now.getTime()) {
            [rejection, note] = ['OFF-0102', 'payload_expired'];
          } else if (payload.bodySha256 !== null) {
            const body = decodeBase64Strict(parsedData.bodyB64, 'data');
            if (!equalBytes(ctx.suite.engine.sha256(body), payload.bodySha256))
              [rejection, note] = ['OFF-0104', 'payload_data_mismatch'];
          }
          if (rejection && enforce) {
            // Not an attempt: audited, committed, no crypto.
            await audit(row, { valid: false, note });
            await commitHook();
            return new CommittedRejection(rejection);
          }
          if (!rejection && payload) payloadId = payload.id;
        }

        // Steps 7–10: keys, factor types, data candidates, one engine call.
        const keys = deriveFactorKeys(ctx, row);
        let search: ReturnType<typeof ctx.suite.engine.searchOfflineCode>;
        let candidates: Uint8Array[];
        try {
          const totps = req.proximityCheck
            ? totpCandidates(
                ctx.suite,
                req.proximityCheck.seed,
                Math.floor(now.getTime() / 1000),
                req.proximityCheck.stepLength,
                req.proximityCheck.stepCount,
                ctx.config.totpDigits,
              )
            : null;
          candidates = verifyDataCandidates(req.data, totps);
          const factors: { type: OfflineFactorType; key: Uint8Array }[] = [
            { type: 'possession_knowledge', key: keys.knowledge },
          ];
          if (allowBiometry && row.biometryEnabled)
            factors.push({ type: 'possession_biometry', key: keys.biometry });
          search = shapeOk
            ? ctx.suite.engine.searchOfflineCode({
                protocol: version,
                possessionKey: keys.possession,
                factors,
                counter: row.ctrData!,
                window: ctx.config.lookahead,
                data: candidates,
                code: req.code,
                length: req.componentLength,
              })
            : { match: false };
        } catch (error) {
          if (error instanceof OffcodeCryptoError || error instanceof ProtocolError) {
            throw new OffcodeError('ERR0013', undefined, { cause: error });
          }
          throw error;
        } finally {
          keys.wipe();
        }

        if (search.match) {
          // Step 11.
          const type = TYPE_NAMES[search.type];
          const changes = {
            counter: row.counter + search.counterIncrement,
            ctrData: search.nextCounter,
            failedAttempts: 0,
            temporaryBlockCount: 0,
            timestampLastUsed: now,
          };
          await updateActivation(tx, row.activationId, changes);
          const auditId = await audit(row, {
            valid: true,
            note: AUDIT_NOTES[version].match,
            type,
            dataBase64: encodeBase64(candidates[search.candidate]!),
          });
          if (payloadId !== null && !(await consumePayload(tx, payloadId, auditId, now)) && enforce) {
            throw new OffcodeError('OFF-0103');
          }
          await commitHook();
          return outcome({ ...row, ...changes }, true, type, {
            result: 'valid',
            matchedPosition: search.position,
          });
        }

        // Step 12.
        const failedAttempts = row.failedAttempts + 1;
        let after: ActivationRow = { ...row, failedAttempts, timestampLastUsed: now };
        await updateActivation(tx, row.activationId, { failedAttempts, timestampLastUsed: now });
        if (row.maxFailedAttempts - failedAttempts <= 0)
          after = await autoBlock(ctx, tx, after, now, failedAttempts);
        await audit(row, {
          valid: false,
          note: AUDIT_NOTES[version].mismatch,
          dataBase64: encodeBase64(candidates[0]!),
          blocked: after,
        });
        await commitHook();
        return outcome(after, false, 'POSSESSION_KNOWLEDGE', {
          result: 'invalid',
          blockedNow: after.status === ActivationStatus.BLOCKED,
        });
      },
      { lock: true },
    );
    if (result instanceof CommittedRejection)
      throw new OffcodeError(result.code, undefined, { field: 'data' });
    return result;
  }

  return {
    /** Protocol-neutral outcome (for callers that serve both versions, e.g. the demo). */
    verifyOutcome: (version: ProtocolVersion, request: unknown): Promise<VerifyOutcome> =>
      service(async () => {
        checkVersion(version);
        return verifyOutcome(version, request);
      }),

    /** The PowerAuth-compatible response of `/rest/v3/signature/offline/verify` or `/rest/v4/auth/offline/verify`. */
    verify: <V extends ProtocolVersion>(version: V, request: unknown): Promise<VerifyResponse<V>> =>
      service(async () => {
        checkVersion(version);
        return toWire(version, await verifyOutcome(version, request)) as VerifyResponse<V>;
      }),
  };
}

export type { SqlExecutor };
