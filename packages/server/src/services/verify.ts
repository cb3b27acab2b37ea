/**
 * Offline verification (server.md §3.5): the request is read once (`verify/request.ts`), then one
 * transaction holds the activation row lock from the read of CTR_DATA to COMMIT and runs the named steps of
 * `verify/steps.ts` (lock and state, registry, search, apply); success/failure updates, blocking, the registry
 * consumption and the audit row commit atomically; the answer is built only after COMMIT returned.
 */
import type { ProtocolVersion } from '@offcode/protocol';
import type { ServerContext } from '../context.js';
import { OffcodeError } from '../errors.js';
import type { SqlExecutor } from '../storage/types.js';
import { inTransaction, service } from '../transactions.js';
import { checkVersion } from './offline-create.js';
import {
  unknownOutcome,
  type VerifyOutcome,
  type VerifyResponse,
  verifyResponseFromOutcome,
} from './verify/outcome.js';
import { type PhaseClock, startPhaseClock } from './verify/phases.js';
import { readTypedVerifyRequest, readVerifyRequest, type VerifyInput } from './verify/request.js';
import {
  applyFailure,
  applySuccess,
  CommittedRejection,
  checkRegistry,
  checkState,
  lockActivation,
  searchCode,
  type VerifyRun,
} from './verify/steps.js';

export {
  type SignatureTypeName,
  type VerifyOutcome,
  type VerifyResponse,
  type VerifyResultKind,
  type VerifyV3Response,
  type VerifyV4Response,
  verifyResponseFromOutcome,
} from './verify/outcome.js';
export type { VerifyInput } from './verify/request.js';

/** Steps 2–12 inside the transaction; a registry rejection comes back as a value so that it commits. */
async function verifyInTransaction(
  ctx: ServerContext,
  tx: SqlExecutor,
  version: ProtocolVersion,
  input: VerifyInput,
  codeDigest: Uint8Array | null,
  clock: PhaseClock | null,
): Promise<VerifyOutcome | CommittedRejection> {
  const now = ctx.now();
  const locked = await lockActivation(ctx, tx, version, input, now);
  clock?.mark('lock');
  if (!locked) return unknownOutcome(input.activationId);
  const { row, payload } = locked;
  const run: VerifyRun = { ctx, tx, version, input, now, row, payload, codeDigest, clock };
  const inactive = await checkState(run);
  if (inactive) {
    clock?.mark('writes');
    return inactive;
  }
  const registry = await checkRegistry(run);
  clock?.mark(registry instanceof CommittedRejection ? 'writes' : 'lock');
  if (registry instanceof CommittedRejection) return registry;
  const { result, candidates } = searchCode(run);
  const outcome = result.match
    ? await applySuccess(run, result, candidates, registry.payloadId)
    : await applyFailure(run, candidates);
  clock?.mark('writes');
  return outcome;
}

/** Steps 2–13 for a request read (`clock`: the phase timer when the channel has subscribers). */
async function verifyInput(
  ctx: ServerContext,
  version: ProtocolVersion,
  input: VerifyInput,
  clock: PhaseClock | null,
): Promise<VerifyOutcome> {
  const codeDigest = ctx.cipher.auditCodeDigest(input.activationId, input.code.text);
  clock?.mark('parse');
  const result = await inTransaction(
    ctx,
    (tx) => verifyInTransaction(ctx, tx, version, input, codeDigest, clock),
    { lock: true },
  );
  clock?.mark('commit');
  if (result instanceof CommittedRejection) throw new OffcodeError(result.code, undefined, { field: 'data' });
  clock?.publish(version, result.result);
  return result;
}

export function createVerifyService(ctx: ServerContext) {
  return {
    /** Protocol-neutral outcome (for callers that serve both versions, e.g. the demo). */
    verifyOutcome: (version: ProtocolVersion, request: unknown): Promise<VerifyOutcome> =>
      service(async () => {
        checkVersion(version);
        const clock = startPhaseClock();
        return verifyInput(ctx, version, readVerifyRequest(ctx.schemas, version, request), clock);
      }),

    /** The PowerAuth-compatible response of `/rest/v3/signature/offline/verify` or `/rest/v4/auth/offline/verify`. */
    verify: <V extends ProtocolVersion>(version: V, request: unknown): Promise<VerifyResponse<V>> =>
      service(async () => {
        checkVersion(version);
        const clock = startPhaseClock();
        const input = readVerifyRequest(ctx.schemas, version, request);
        return verifyResponseFromOutcome(version, await verifyInput(ctx, version, input, clock));
      }),

    /**
     * The code as the user typed it (`typedCode`: spaces, dashes, 4-digit groups, 8-8, surrounding
     * whitespace), normalised for the request's `componentLength` (default OFFCODE_COMPONENT_LENGTH) and two
     * factors, then verified exactly like `verifyOutcome`. A typed text that is not such a code is ERR0024 on
     * `typedCode` with a message for the user ("enter 16 digits"): nothing is read or written, no attempt counts.
     */
    verifyTyped: (version: ProtocolVersion, request: unknown): Promise<VerifyOutcome> =>
      service(async () => {
        checkVersion(version);
        const clock = startPhaseClock();
        return verifyInput(ctx, version, readTypedVerifyRequest(ctx.schemas, request), clock);
      }),
  };
}

export type { SqlExecutor };
