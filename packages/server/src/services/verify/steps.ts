/**
 * The named steps of one verification (server.md §3.5), all inside the one transaction that holds the
 * activation row lock: lock and state, registry, search, apply. Lock order: activation row, then payload row.
 * The crash-safety hooks sit right after the lock and right before every COMMIT.
 */
import { equalBytes } from '@noble/curves/utils.js';
import {
  OffcodeCryptoError,
  type OfflineCodeSearchResult,
  type OfflineFactorType,
} from '@offcode/crypto-wasm';
import {
  encodeBase64,
  offlineDataBytes,
  ProtocolError,
  type ProtocolVersion,
  totpCandidates,
  verifyDataCandidates,
} from '@offcode/protocol';
import type { ServerContext } from '../../context.js';
import { OffcodeError, type OffcodeErrorCode } from '../../errors.js';
import {
  type ActivationUpdate,
  type AuditInsert,
  CONSUME_REFUSED_SQLSTATE,
  insertAudit,
  lockForVerify,
  writeVerification,
} from '../../repo/queries.js';
import { type ActivationRow, ActivationStatus, type OfflinePayloadRow } from '../../repo/rows.js';
import { type SqlExecutor, StorageError } from '../../storage/types.js';
import { applyDueBlockExpiry, autoBlock } from '../blocking.js';
import { deriveFactorKeys } from './keys.js';
import { AUDIT_NOTES, outcome, type SignatureTypeName, TYPE_NAMES, type VerifyOutcome } from './outcome.js';
import type { PhaseClock } from './phases.js';
import type { VerifyInput } from './request.js';

/** One verification in progress: the request, the locked row as read, its transaction and clock. */
export interface VerifyRun {
  readonly ctx: ServerContext;
  readonly tx: SqlExecutor;
  readonly version: ProtocolVersion;
  readonly input: VerifyInput;
  readonly now: Date;
  /** The locked activation row after a due block expiry: what the audit rows record. */
  readonly row: ActivationRow;
  /** The registry row of the request's nonce, read and locked with the activation (null: none or off). */
  readonly payload: OfflinePayloadRow | null;
  readonly codeDigest: Uint8Array | null;
  /** The phase timer (null unless the phases channel has subscribers). */
  readonly clock: PhaseClock | null;
}

/** An answer that must be thrown only after the transaction committed (registry rejections). */
export class CommittedRejection {
  constructor(readonly code: OffcodeErrorCode) {}
}

/**
 * Steps 2–5 (first half): `SELECT … FOR UPDATE` of the activation row — with the registry on, the payload
 * row of the request's nonce is read and locked in the same statement, after it (step 6 checks it) — the
 * after-lock hook, the protocol version check (ERR0047) and a due temporary-block expiry. Null for an
 * unknown activation (ERR0009 in compat).
 */
export async function lockActivation(
  ctx: ServerContext,
  tx: SqlExecutor,
  version: ProtocolVersion,
  input: VerifyInput,
  now: Date,
): Promise<{ row: ActivationRow; payload: OfflinePayloadRow | null } | null> {
  const nonce = ctx.config.payloadRegistry === 'off' ? null : input.data.nonce;
  const locked = await lockForVerify(tx, input.activationId, nonce);
  if (!locked) {
    if (ctx.config.compatUnknownActivation === 'error')
      throw new OffcodeError('ERR0009', undefined, { field: 'activationId' });
    return null;
  }
  const { activation } = locked;
  await ctx.hooks.afterVerifyLock?.(tx, activation.activationId);
  if (activation.protocolVersion !== null && activation.protocolVersion !== version)
    throw new OffcodeError('ERR0047');
  return { row: await applyDueBlockExpiry(tx, activation, now), payload: locked.payload };
}

/**
 * The last statement of a verification, then COMMIT right behind it: `tx.commit` (PostgreSQL) sends COMMIT
 * in the same tick as the statement, so both go out in one write and one round trip; the transaction answers
 * only once COMMIT returned, and a failed statement makes that COMMIT a rollback. With the test hook that
 * runs after every write and before COMMIT, the statement's answer is awaited, then the hook runs, then
 * COMMIT is sent. The statement's answer is used only after COMMIT was sent: nothing is decided on it that
 * could still need a rollback (a refused consumption fails the statement itself, see `writeVerification`).
 */
async function lastStatement<T>(run: VerifyRun, statement: Promise<T>): Promise<T> {
  const hook = run.ctx.hooks.beforeVerifyCommit;
  if (hook) {
    await statement;
    await hook(run.tx, run.row.activationId);
  }
  run.tx.commit?.();
  return statement;
}

interface AuditFields {
  valid: boolean;
  note: string;
  type?: SignatureTypeName;
  data?: Uint8Array;
  blocked?: ActivationRow;
}

/** The audit row of this verification (pre-update counter, ctr_data and status of `run.row`). */
function auditRecord(run: VerifyRun, fields: AuditFields): AuditInsert {
  const { row, input } = run;
  const blocked = fields.blocked?.status === ActivationStatus.BLOCKED ? fields.blocked : null;
  return {
    activationId: row.activationId,
    userId: row.userId,
    applicationId: row.applicationId,
    protocolVersion: row.protocolVersion,
    counter: row.counter,
    ctrData: row.ctrData,
    status: row.status,
    additionalInfo: {
      BIOMETRY_ALLOWED: input.allowBiometry ? 'TRUE' : 'FALSE',
      PROXIMITY_CHECK: input.proximityCheck ? 'TRUE' : 'FALSE',
      ...(blocked
        ? {
            BLOCKED_REASON: blocked.blockedReason ?? '',
            ...(blocked.blockExpiresAt ? { BLOCK_EXPIRES_AT: blocked.blockExpiresAt.toISOString() } : {}),
          }
        : {}),
    },
    dataBase64: encodeBase64(fields.data ?? offlineDataBytes(input.data.text)),
    nonce: input.data.nonce,
    codeDigest: run.codeDigest,
    signatureType: fields.type ?? 'POSSESSION_KNOWLEDGE',
    valid: fields.valid,
    note: fields.note,
    now: run.now,
  };
}

/** Writes the audit row alone (a registry rejection) and commits. */
export function auditVerification(run: VerifyRun, fields: AuditFields): Promise<number> {
  return lastStatement(run, insertAudit(run.tx, auditRecord(run, fields)));
}

/**
 * The activation changes and the audit row in one statement (and the consumption when given) and COMMIT.
 * `enforce`: a consumption that finds the payload consumed fails the statement, the transaction rolls back
 * as a whole, and the answer is OFF-0103.
 */
async function writeWithAudit(
  run: VerifyRun,
  changes: ActivationUpdate,
  fields: AuditFields,
  consume: { payloadId: number; now: Date } | null = null,
): Promise<{ auditId: number; consumed: boolean | null }> {
  const required = consume !== null && run.ctx.config.payloadRegistry === 'enforce';
  const statement = writeVerification(
    run.tx,
    run.row.activationId,
    changes,
    auditRecord(run, fields),
    consume && { ...consume, required },
  );
  try {
    return await lastStatement(run, statement);
  } catch (error) {
    if (required && error instanceof StorageError && error.sqlState === CONSUME_REFUSED_SQLSTATE)
      throw new OffcodeError('OFF-0103');
    throw error;
  }
}

/**
 * Step 5 (second half): an activation that is not ACTIVE, or ACTIVE with failed attempts already at the
 * limit (PA issue #551: blocked instead of verified), answers invalid without a search. Null: go on.
 */
export async function checkState(run: VerifyRun): Promise<VerifyOutcome | null> {
  const { ctx, tx, row, now } = run;
  if (row.status !== ActivationStatus.ACTIVE) {
    await writeWithAudit(
      run,
      { timestampLastUsed: now },
      { valid: false, note: 'activation_invalid_state', blocked: row },
    );
    return outcome({ ...row, timestampLastUsed: now }, false, 'POSSESSION_KNOWLEDGE', { result: 'inactive' });
  }
  if (row.failedAttempts >= row.maxFailedAttempts) {
    const blocked = await autoBlock(ctx, tx, row, now);
    await writeWithAudit(
      run,
      { timestampLastUsed: now },
      { valid: false, note: 'activation_invalid_state_ctr_mismatch', blocked },
    );
    return outcome(blocked, false, 'POSSESSION_KNOWLEDGE', { result: 'inactive', blockedNow: true });
  }
  return null;
}

/** Why the registry refuses this payload for this verification (server.md §3.4 "Check"), or null. */
function registryRejection(
  run: VerifyRun,
  payload: OfflinePayloadRow | null,
): [OffcodeErrorCode, string] | null {
  const { row, version, now, input } = run;
  if (
    !payload ||
    (payload.activationId !== null && payload.activationId !== row.activationId) ||
    payload.protocolVersion !== version
  ) {
    return ['OFF-0101', 'payload_not_issued'];
  }
  if (payload.consumedAt !== null) return ['OFF-0103', 'payload_consumed'];
  if (payload.expiresAt.getTime() <= now.getTime()) return ['OFF-0102', 'payload_expired'];
  if (
    payload.bodySha256 !== null &&
    !equalBytes(run.ctx.suite.engine.sha256(input.data.body), payload.bodySha256)
  )
    return ['OFF-0104', 'payload_data_mismatch'];
  return null;
}

/**
 * Step 6: the payload row, locked with the activation row (after it). `enforce`: a rejection is audited and
 * committed without crypto and without counting an attempt. Answers the payload to consume on success
 * (null: none).
 */
export async function checkRegistry(
  run: VerifyRun,
): Promise<{ payloadId: number | null } | CommittedRejection> {
  const { ctx, payload } = run;
  if (ctx.config.payloadRegistry === 'off') return { payloadId: null };
  const rejection = registryRejection(run, payload);
  if (rejection && ctx.config.payloadRegistry === 'enforce') {
    await auditVerification(run, { valid: false, note: rejection[1] });
    return new CommittedRejection(rejection[0]);
  }
  return { payloadId: !rejection && payload ? payload.id : null };
}

export interface CodeSearch {
  result: OfflineCodeSearchResult;
  /** The DATA candidates searched (one per TOTP candidate; the first is audited on a mismatch). */
  candidates: Uint8Array[];
}

/**
 * Steps 7–10: keys derived once, the factor types (biometry only when allowed and enabled), the DATA
 * candidates from the one parsed `data`, and one engine call over the whole window. A code of another shape
 * than the request's never matches (crypto.md 8.1). Engine failures are ERR0013.
 */
export function searchCode(run: VerifyRun): CodeSearch {
  const { ctx, row, input, now } = run;
  const biometry = input.allowBiometry && row.biometryEnabled;
  const keys = deriveFactorKeys(ctx, row, biometry);
  run.clock?.mark('keys');
  try {
    const p = input.proximityCheck;
    const totps = p
      ? totpCandidates(
          ctx.suite,
          p.seed,
          Math.floor(now.getTime() / 1000),
          p.stepLength,
          p.stepCount,
          ctx.config.totpDigits,
        )
      : null;
    const candidates = verifyDataCandidates(input.data, totps);
    const factors: { type: OfflineFactorType; key: Uint8Array }[] = [
      { type: 'possession_knowledge', key: keys.knowledge },
    ];
    if (biometry && keys.biometry) factors.push({ type: 'possession_biometry', key: keys.biometry });
    const components = input.code.components;
    const result: OfflineCodeSearchResult = components
      ? ctx.suite.engine.searchOfflineCode({
          protocol: run.version,
          possessionKey: keys.possession,
          factors,
          counter: row.ctrData!,
          window: ctx.config.lookahead,
          data: candidates,
          code: components.join('-'),
          length: input.componentLength,
        })
      : { match: false };
    run.clock?.mark('search');
    return { result, candidates };
  } catch (error) {
    if (error instanceof OffcodeCryptoError || error instanceof ProtocolError)
      throw new OffcodeError('ERR0013', undefined, { cause: error });
    throw error;
  } finally {
    keys.wipe();
  }
}

/**
 * Step 11: counter and ctr_data advanced, failures and temporary blocks reset, the audit row, and the
 * registry payload consumed in this same transaction (`enforce`: already consumed → OFF-0103, everything
 * rolled back).
 */
export async function applySuccess(
  run: VerifyRun,
  match: Extract<OfflineCodeSearchResult, { match: true }>,
  candidates: readonly Uint8Array[],
  payloadId: number | null,
): Promise<VerifyOutcome> {
  const { row, now, version } = run;
  const type = TYPE_NAMES[match.type];
  const changes = {
    counter: row.counter + match.counterIncrement,
    ctrData: match.nextCounter,
    failedAttempts: 0,
    temporaryBlockCount: 0,
    timestampLastUsed: now,
  };
  await writeWithAudit(
    run,
    changes,
    { valid: true, note: AUDIT_NOTES[version].match, type, data: candidates[match.candidate]! },
    payloadId === null ? null : { payloadId, now },
  );
  return outcome({ ...row, ...changes }, true, type, { result: 'valid', matchedPosition: match.position });
}

/** Step 12: one failed attempt (however many candidates and types were tried), blocking at the limit. */
export async function applyFailure(
  run: VerifyRun,
  candidates: readonly Uint8Array[],
): Promise<VerifyOutcome> {
  const { ctx, tx, row, now, version } = run;
  const failedAttempts = row.failedAttempts + 1;
  let after: ActivationRow = { ...row, failedAttempts, timestampLastUsed: now };
  if (row.maxFailedAttempts - failedAttempts <= 0)
    after = await autoBlock(ctx, tx, after, now, failedAttempts);
  await writeWithAudit(
    run,
    { failedAttempts, timestampLastUsed: now },
    { valid: false, note: AUDIT_NOTES[version].mismatch, data: candidates[0]!, blocked: after },
  );
  return outcome(after, false, 'POSSESSION_KNOWLEDGE', {
    result: 'invalid',
    blockedNow: after.status === ActivationStatus.BLOCKED,
  });
}
