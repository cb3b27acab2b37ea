/** The read-modify-write of a status refresh (client.md §3.4). */
import type { TokenContext } from './context.js';
import { OffcodeClientError } from './errors.js';
import { type TokenState, type TokenStatus, toStatus, zeroizeState } from './state.js';

/**
 * Applies `change` to the stored state under the lock, if it still holds activation `activationId` (a
 * reset or re-activation meanwhile is STORAGE_FAILURE), writes it and returns the new status.
 */
export async function updateStatus(
  ctx: TokenContext,
  activationId: string,
  change: (s: TokenState, at: string) => TokenState,
): Promise<TokenStatus> {
  return ctx.locked(async () => {
    const s = await ctx.requireAnyState();
    let next: TokenState | undefined;
    try {
      if (s.activationId !== activationId) {
        throw new OffcodeClientError(
          'STORAGE_FAILURE',
          'the token changed while its status was being refreshed',
        );
      }
      next = change(s, ctx.nowIso());
      await ctx.writeState(next);
      return toStatus(next);
    } finally {
      zeroizeState(s);
      if (next && next.ctrData !== s.ctrData) next.ctrData.fill(0);
    }
  });
}
