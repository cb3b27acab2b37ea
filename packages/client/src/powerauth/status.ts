/**
 * `POST /pa/v3/activation/status` (activation.md §6): a fresh 16-byte challenge, the 32-byte status blob
 * decrypted with KEY_TRANSPORT (IV bound to challenge and the server's nonce), and counter
 * resynchronisation as the SDK does it: when the server's CTR_DATA is k < lookahead steps ahead of the
 * token's, the token adopts it (counter + k), under the lock, from the CTR_DATA it holds at that moment.
 */
import { encodeBase64, ProtocolError, tryDecodeBase64Strict } from '@offcode/protocol';
import { decryptStatusBlob, hashCounterDistance, type StatusBlobFields } from '@offcode/protocol/pa3';
import { zeroize } from '../bytes.js';
import type { TokenContext } from '../context.js';
import { OffcodeClientError } from '../errors.js';
import { type PowerAuthStatusDetails, type TokenState, type TokenStatus, zeroizeState } from '../state.js';
import { updateStatus } from '../state-update.js';
import { powerAuthClient } from './client.js';

const fail = (message: string, e?: unknown): never => {
  const detail = e instanceof ProtocolError ? ` (${e.message})` : '';
  throw new OffcodeClientError('NETWORK_ERROR', `${message}${detail}`, { cause: e });
};

function bytesField(r: Record<string, unknown>, field: string, length: number): Uint8Array {
  const v = r[field];
  const b = typeof v === 'string' ? tryDecodeBase64Strict(v) : null;
  if (!b || b.length !== length) fail(`invalid status answer: ${field} must be Base64 of ${length} bytes`);
  return b as Uint8Array;
}

/** Reads and decrypts the status blob of the stored PowerAuth token. */
async function readStatusBlob(ctx: TokenContext, state: TokenState): Promise<StatusBlobFields> {
  const pa = state.powerAuth!;
  const client = powerAuthClient(ctx, { serverUrl: state.serverUrl, ...pa });
  const challenge = client.randomBytes(16);
  const res = await client.post('/pa/v3/activation/status', {
    activationId: state.activationId,
    challenge: encodeBase64(challenge),
  });
  if (!res.ok) client.refused(res, 'status request', 'NETWORK_ERROR');
  if (res.response.activationId !== state.activationId)
    fail('invalid status answer: activationId is not this activation');
  const encryptedStatusBlob = bytesField(res.response, 'encryptedStatusBlob', 32);
  const nonce = bytesField(res.response, 'nonce', 16);
  try {
    return decryptStatusBlob(ctx.suite, {
      transportKey: pa.transportKey,
      challenge,
      nonce,
      encryptedStatusBlob,
    });
  } catch (e) {
    return fail(
      'the status blob does not decrypt with this token’s keys: the server does not know this activation',
      e,
    );
  }
}

/** The SDK's counter check: hash distance first, then the low counter byte (activation.md §6). */
function counterSync(ctx: TokenContext, s: TokenState, blob: StatusBlobFields) {
  const distance = hashCounterDistance(ctx.suite, {
    transportKey: s.powerAuth!.transportKey,
    ctrData: s.ctrData,
    ctrDataHash: blob.ctrDataHash,
    lookAhead: blob.ctrLookAhead,
  });
  if (distance === 0) return { sync: 'in-sync' as const, steps: 0 };
  if (distance !== null) return { sync: 'resynchronized' as const, steps: distance };
  const ahead = (s.counter - blob.ctrByte + 256) % 256;
  if (ahead > 0 && ahead <= blob.ctrLookAhead) return { sync: 'device-ahead' as const, steps: 0 };
  return { sync: 'out-of-sync' as const, steps: 0 };
}

function advance(ctx: TokenContext, ctrData: Uint8Array, steps: number): Uint8Array {
  let current: Uint8Array = ctrData.slice();
  for (let i = 0; i < steps; i++) {
    const next = ctx.engine.nextCounter(3, current);
    zeroize(current);
    current = next;
  }
  return current;
}

export async function refreshPowerAuthStatus(
  ctx: TokenContext,
  activationId: string,
): Promise<TokenStatus & { powerAuth: PowerAuthStatusDetails }> {
  const before = await ctx.requireAnyState();
  let blob: StatusBlobFields;
  try {
    if (!before.powerAuth || before.activationId !== activationId) {
      throw new OffcodeClientError(
        'STORAGE_FAILURE',
        'the token changed while its status was being refreshed',
      );
    }
    blob = await readStatusBlob(ctx, before);
  } finally {
    zeroizeState(before);
  }
  let details: PowerAuthStatusDetails | undefined;
  const status = await updateStatus(ctx, activationId, (s, at) => {
    if (!s.powerAuth) throw new OffcodeClientError('STORAGE_FAILURE', 'the token is not PowerAuth-enrolled');
    const { sync, steps } = counterSync(ctx, s, blob);
    details = {
      counterSync: sync,
      counterSteps: steps,
      failedAttempts: blob.failedAttempts,
      maxFailedAttempts: blob.maxFailedAttempts,
    };
    return {
      ...s,
      ctrData: steps > 0 ? advance(ctx, s.ctrData, steps) : s.ctrData,
      counter: s.counter + steps,
      activationStatus: blob.status,
      blockedReason: blob.status === 'BLOCKED' ? s.blockedReason : null,
      statusCheckedAt: at,
      updatedAt: at,
    };
  });
  return { ...status, powerAuth: details! };
}
