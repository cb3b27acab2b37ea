/** PIN change and local reset (client.md §2.3, §3.4). */
import { zeroize } from './bytes.js';
import type { TokenContext } from './context.js';
import { OffcodeClientError } from './errors.js';
import { pinBytes, saltLength, unwrapKnowledgeKey, wrapKnowledgeKey } from './pin.js';
import { randomBytes } from './random.js';
import { type TokenState, zeroizeState } from './state.js';

/**
 * Re-wraps the knowledge key under a new PIN with a fresh salt. A wrong old PIN cannot be detected
 * (crypto.md §10): it silently produces a token whose codes the server rejects.
 */
export async function changePin(ctx: TokenContext, oldPin: string, newPin: string): Promise<void> {
  zeroize(pinBytes(oldPin, 'old PIN'), pinBytes(newPin, 'new PIN'));
  const engine = ctx.engine;
  await ctx.locked(async () => {
    const s = await ctx.requireState();
    let knowledge: Uint8Array | undefined;
    try {
      knowledge = unwrapKnowledgeKey(engine, s.protocol, oldPin, s.knowledgeKey);
      const knowledgeKey = wrapKnowledgeKey(
        engine,
        s.protocol,
        newPin,
        randomBytes(ctx.random, saltLength(s.protocol)),
        knowledge,
      );
      await ctx.writeState({ ...s, knowledgeKey, updatedAt: ctx.nowIso() });
    } finally {
      zeroize(knowledge);
      zeroizeState(s);
    }
  });
}

/** Deletes the local state and the platform biometry key; call inside `ctx.locked`. */
export async function removeLocalState(ctx: TokenContext): Promise<void> {
  const s: TokenState | null = await ctx.readState().catch((e: unknown) => {
    // An unreadable state must still be removable.
    if (e instanceof OffcodeClientError && e.code === 'STORAGE_FAILURE') return null;
    throw e;
  });
  await ctx.storeCall('remove', () => ctx.store.remove());
  if (s?.biometryKey?.protection === 'platform' && ctx.biometryKeyStore) {
    await ctx.biometryKeyStore.remove(s.biometryKey.ref).catch(() => undefined);
  }
  zeroizeState(s);
}

/** Deletes the local state (and the platform biometry key). The server-side activation is untouched. */
export async function reset(ctx: TokenContext): Promise<void> {
  await ctx.locked(() => removeLocalState(ctx));
}
