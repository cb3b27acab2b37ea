/**
 * The second factor of a code or signature (client.md §2.3-2.4, §3.3): the knowledge key unwrapped with the
 * PIN (never fails: a wrong PIN gives another key) or the biometry key from the state or the platform.
 */
import { zeroize } from './bytes.js';
import type { TokenContext } from './context.js';
import { OffcodeClientError } from './errors.js';
import { pinBytes, unwrapKnowledgeKey } from './pin.js';
import { keySize, type TokenState } from './state.js';
import type { ApproveAuth } from './types.js';

/** Checks the auth argument; true = biometry. The PIN's shape is checked here, before any lock. */
export function validateAuth(auth: ApproveAuth): boolean {
  if (typeof auth !== 'object' || auth === null)
    throw new OffcodeClientError('INVALID_INPUT', 'auth must be {pin} or {biometry: true}');
  const hasPin = 'pin' in auth && auth.pin !== undefined;
  const hasBio = 'biometry' in auth && auth.biometry !== undefined;
  if (hasPin === hasBio)
    throw new OffcodeClientError('INVALID_INPUT', 'auth must be exactly one of {pin} or {biometry: true}');
  if (hasBio) {
    if ((auth as { biometry: unknown }).biometry !== true)
      throw new OffcodeClientError('INVALID_INPUT', 'biometry must be true');
    return true;
  }
  zeroize(pinBytes((auth as { pin: unknown }).pin));
  return false;
}

/** The knowledge key for `pin`, or the biometry key; the caller zeroes it. */
export async function secondFactorKey(
  ctx: TokenContext,
  state: TokenState,
  auth: ApproveAuth,
  biometryPrompt?: string,
): Promise<Uint8Array> {
  if ('biometry' in auth && auth.biometry === true) return unlockBiometry(ctx, state, biometryPrompt);
  return unwrapKnowledgeKey(ctx.engine, state.protocol, (auth as { pin: string }).pin, state.knowledgeKey);
}

export async function unlockBiometry(
  ctx: TokenContext,
  state: TokenState,
  prompt = 'Approve the operation',
): Promise<Uint8Array> {
  const bk = state.biometryKey;
  if (bk === null) throw new OffcodeClientError('BIOMETRY_UNAVAILABLE', 'this token has no biometry key');
  if (bk.protection === 'none') return bk.key.slice();
  const keystore = ctx.biometryKeyStore;
  if (!keystore) {
    throw new OffcodeClientError(
      'BIOMETRY_UNAVAILABLE',
      'the biometry key is in a platform keystore that is not configured',
    );
  }
  let key: Uint8Array | null;
  try {
    key = await keystore.unlock(bk.ref, prompt);
  } catch (e) {
    throw new OffcodeClientError('BIOMETRY_UNAVAILABLE', 'the platform refused to unlock the biometry key', {
      cause: e,
    });
  }
  if (key === null || !(key instanceof Uint8Array)) {
    throw new OffcodeClientError(
      'BIOMETRY_UNAVAILABLE',
      'biometric authentication was cancelled or is not available',
    );
  }
  if (key.length !== keySize(state.protocol)) {
    zeroize(key);
    throw new OffcodeClientError(
      'BIOMETRY_UNAVAILABLE',
      'the platform returned a biometry key of the wrong size',
    );
  }
  return key;
}
