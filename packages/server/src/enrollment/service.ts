/**
 * The transport-free entry points of PowerAuth 3.3 device enrollment (activation.md "Offcode decisions"),
 * what the REST adapter calls for `POST /pa/v3/keystore/create`, `/activation/create`, `/activation/status`
 * and `/activation/remove`: each takes the raw body bytes and the `X-PowerAuth-*` header values, runs in one
 * transaction, and returns the JSON body to send or throws an `EnrollmentError` (RESTful-integration code,
 * fixed message) — or an `OffcodeError` `OFF-0201` / `ERR0000` for a busy database or a fault of ours.
 */
import type { ServerContext } from '../context.js';
import { purgeReplayBatch, purgeTemporaryKeyBatch } from '../repo/enrollment-queries.js';
import { inTransaction } from '../transactions.js';
import { createPowerAuthActivation } from './activation-create.js';
import { createRemoveService } from './remove.js';
import { createStatusService } from './status.js';
import { createKeystoreService } from './temporary-keys.js';

export function createEnrollmentService(ctx: ServerContext) {
  const activation = createPowerAuthActivation(ctx);
  return {
    /** `POST /pa/v3/keystore/create` (wrapped JSON in and out). */
    keystoreCreate: createKeystoreService(ctx).create,
    /** `POST /pa/v3/activation/create` (bare ECIES request and response; `X-PowerAuth-Encryption`). */
    activationCreate: activation.exchange,
    /** `POST /pa/v3/activation/status` (wrapped JSON in and out). */
    activationStatus: createStatusService(ctx).status,
    /** `POST /pa/v3/activation/remove` (`X-PowerAuth-Authorization` over the raw body). */
    activationRemove: createRemoveService(ctx).remove,
  };
}

export type EnrollmentService = ReturnType<typeof createEnrollmentService>;

async function purgeAll(ctx: ServerContext, batch: typeof purgeReplayBatch, cutoff: Date): Promise<number> {
  let purged = 0;
  for (;;) {
    const n = await inTransaction(ctx, (tx) => batch(tx, cutoff));
    purged += n;
    if (n < 1000) return purged;
  }
}

/** The maintenance sweep's part: expired temporary keys and replay digests, in batches of 1000. */
export async function purgeEnrollment(
  ctx: ServerContext,
): Promise<{ purgedTemporaryKeys: number; purgedReplays: number }> {
  const now = ctx.now();
  return {
    purgedTemporaryKeys: await purgeAll(ctx, purgeTemporaryKeyBatch, now),
    purgedReplays: await purgeAll(ctx, purgeReplayBatch, now),
  };
}
