/** Auto-block, temporary block with growing expiry, and its expiry (server.md §3.6). */
import type { ServerContext } from '../context.js';
import { findActivation, insertHistory, updateActivation } from '../repo/queries.js';
import { type ActivationRow, ActivationStatus } from '../repo/rows.js';
import type { SqlExecutor } from '../storage/types.js';
import { inTransaction } from '../transactions.js';

export const MAX_FAILED_ATTEMPTS_REASON = 'MAX_FAILED_ATTEMPTS';
export const TEMPORARY_BLOCK_EXPIRED_REASON = 'TEMPORARY_BLOCK_EXPIRED';

/** True when the row is a temporary block whose expiry has passed. */
export function isBlockExpiryDue(row: ActivationRow, now: Date): boolean {
  return (
    row.status === ActivationStatus.BLOCKED &&
    row.blockedReason === MAX_FAILED_ATTEMPTS_REASON &&
    row.blockExpiresAt !== null &&
    row.blockExpiresAt.getTime() <= now.getTime()
  );
}

/**
 * Block length for the n-th temporary block: min(max period, period × multiplier^(n−1)); null (permanent)
 * when temporary blocks are off or the count exceeds OFFCODE_TEMP_BLOCK_MAX_BLOCKS.
 */
export function temporaryBlockMs(ctx: ServerContext, count: number): number | null {
  const c = ctx.config;
  if (!c.tempBlockEnabled) return null;
  if (c.tempBlockMaxBlocks > 0 && count > c.tempBlockMaxBlocks) return null;
  return Math.min(
    c.tempBlockMaxPeriodMs,
    Math.round(c.tempBlockPeriodMs * c.tempBlockMultiplier ** (count - 1)),
  );
}

/** Auto-block under the row lock: BLOCKED, MAX_FAILED_ATTEMPTS, optional expiry, history row. */
export async function autoBlock(
  ctx: ServerContext,
  tx: SqlExecutor,
  row: ActivationRow,
  now: Date,
  failedAttempts: number = row.failedAttempts,
): Promise<ActivationRow> {
  const temporaryBlockCount = ctx.config.tempBlockEnabled
    ? row.temporaryBlockCount + 1
    : row.temporaryBlockCount;
  const ms = temporaryBlockMs(ctx, temporaryBlockCount);
  const changes = {
    status: ActivationStatus.BLOCKED,
    blockedReason: MAX_FAILED_ATTEMPTS_REASON,
    failedAttempts,
    temporaryBlockCount,
    blockExpiresAt: ms === null ? null : new Date(now.getTime() + ms),
    timestampLastChange: now,
  };
  await updateActivation(tx, row.activationId, changes);
  await insertHistory(tx, {
    activationId: row.activationId,
    status: ActivationStatus.BLOCKED,
    reason: MAX_FAILED_ATTEMPTS_REASON,
    externalUserId: null,
    now,
  });
  return { ...row, ...changes };
}

/**
 * Runs a due temporary-block expiry under the row lock: ACTIVE with exactly one more try
 * (failed = max − 1), reason and expiry cleared, count kept, history TEMPORARY_BLOCK_EXPIRED.
 */
export async function applyDueBlockExpiry(
  tx: SqlExecutor,
  row: ActivationRow,
  now: Date,
): Promise<ActivationRow> {
  if (!isBlockExpiryDue(row, now)) return row;
  const changes = {
    status: ActivationStatus.ACTIVE,
    blockedReason: null,
    blockExpiresAt: null,
    failedAttempts: Math.max(0, row.maxFailedAttempts - 1),
    timestampLastChange: now,
  };
  await updateActivation(tx, row.activationId, changes);
  await insertHistory(tx, {
    activationId: row.activationId,
    status: ActivationStatus.ACTIVE,
    reason: TEMPORARY_BLOCK_EXPIRED_REASON,
    externalUserId: null,
    now,
  });
  return { ...row, ...changes };
}

/**
 * For readers that do not lock (status, create): when the row read has a due expiry, run it in its own
 * locked transaction and return the fresh row; otherwise return the row unchanged.
 */
export async function refreshDueBlockExpiry(ctx: ServerContext, row: ActivationRow): Promise<ActivationRow> {
  const now = ctx.now();
  if (!isBlockExpiryDue(row, now)) return row;
  return inTransaction(
    ctx,
    async (tx) => {
      const locked = await findActivation(tx, row.activationId, true);
      return locked ? applyDueBlockExpiry(tx, locked, now) : row;
    },
    { lock: true },
  );
}
