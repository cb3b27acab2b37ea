/**
 * Code computation (client.md §3.3): re-verify the payload, unlock the second factor, compute the decimal
 * code with the current CTR_DATA, and make the advanced counter durable BEFORE the code is returned.
 */
import { DEFAULT_OFFLINE_URI_ID, formatCodeForDisplay, normalizedDataForPayload } from '@offcode/protocol';
import { zeroize } from './bytes.js';
import type { TokenContext } from './context.js';
import { OffcodeClientError } from './errors.js';
import { secondFactorKey, validateAuth } from './factors.js';
import { payloadText, verifyPayload } from './qr-check.js';
import { type TokenState, zeroizeState } from './state.js';
import type { ApprovalResult, ApproveAuth, ApproveOptions, ScannedOperation } from './types.js';

function checkOptions(options: ApproveOptions): { uriId: string; length: number | undefined } {
  const uriId = options.uriId ?? DEFAULT_OFFLINE_URI_ID;
  if (typeof uriId !== 'string' || uriId.length === 0)
    throw new OffcodeClientError('INVALID_INPUT', 'uriId must be a non-empty string');
  const length = options.componentLength;
  if (length !== undefined && !(Number.isInteger(length) && length >= 4 && length <= 8)) {
    throw new OffcodeClientError('INVALID_INPUT', 'componentLength must be an integer 4..8');
  }
  return { uriId, length };
}

export async function approve(
  ctx: TokenContext,
  op: ScannedOperation | string | Uint8Array,
  auth: ApproveAuth,
  options: ApproveOptions = {},
): Promise<ApprovalResult> {
  // Re-verify from the payload text every time: a code is never computed for an object that did not
  // come out of a successful scan with the current keys.
  const text = typeof op === 'string' || op instanceof Uint8Array ? op : payloadText(op);
  const useBiometry = validateAuth(auth);
  const { uriId, length } = checkOptions(options ?? {});
  const engine = ctx.engine;

  return ctx.locked(async () => {
    const state = await ctx.requireState();
    let secondKey: Uint8Array | undefined;
    try {
      const { payload } = verifyPayload(ctx.suite, state, text);
      if (useBiometry && !payload.flags.biometricsAllowed) {
        throw new OffcodeClientError(
          'BIOMETRY_NOT_ALLOWED',
          'this operation does not allow approval with biometry',
        );
      }
      // Cannot fail for a wrong PIN: it just gives another key, hence a code the server rejects.
      secondKey = await secondFactorKey(ctx, state, auth, options?.biometryPrompt);
      const code = engine.computeAuthCode({
        protocol: state.protocol,
        keys: [state.possessionKey, secondKey],
        counter: state.ctrData,
        data: normalizedDataForPayload(payload, { uriId }),
        format: 'decimal',
        length: length ?? state.componentLength,
      });
      const counter = await persistNextCounter(ctx, state);
      if (ctx.afterCounterPersisted) await ctx.afterCounterPersisted(counter);
      return { code, display: formatCodeForDisplay(code), counter };
    } finally {
      zeroize(secondKey);
      zeroizeState(state);
    }
  });
}

/**
 * Writes `next(ctrData)` and `counter + 1` and waits for durability: the value just used is consumed
 * whatever happens next. Returns the new counter.
 */
export async function persistNextCounter(ctx: TokenContext, state: TokenState): Promise<number> {
  const next: TokenState = {
    ...state,
    ctrData: ctx.engine.nextCounter(state.protocol, state.ctrData),
    counter: state.counter + 1,
    updatedAt: ctx.nowIso(),
  };
  try {
    await ctx.writeState(next);
  } finally {
    next.ctrData.fill(0);
  }
  return next.counter;
}
