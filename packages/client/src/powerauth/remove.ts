/**
 * `POST /pa/v3/activation/remove` (activation.md §7): body `{}`, signed with a V3.3 online signature
 * (possession + knowledge with the PIN, or possession + biometry) over
 * `POST & B64("/pa/activation/remove") & nonce & B64("{}") & APP_SECRET`. The advanced counter is durable
 * before the request leaves (a counter value is never used twice); the lock is not held over the network.
 * When the server confirms, the local state is deleted (as the SDK does).
 */
import { encodeBase64 } from '@offcode/protocol';
import {
  AUTHORIZATION_HEADER,
  buildAuthorizationHeader,
  computeOnlineSignature,
  onlineSignatureData,
  type SignatureType,
} from '@offcode/protocol/pa3';
import { persistNextCounter } from '../approve.js';
import { zeroize } from '../bytes.js';
import type { TokenContext } from '../context.js';
import { OffcodeClientError } from '../errors.js';
import { secondFactorKey, validateAuth } from '../factors.js';
import { postJson, readEnvelope } from '../http.js';
import { removeLocalState } from '../maintenance.js';
import { randomBytes } from '../random.js';
import { type TokenStatus, toStatus, zeroizeState } from '../state.js';
import type { ApproveAuth, RemoveOptions } from '../types.js';

const URI_ID = '/pa/activation/remove';
const BODY = '{}';

interface SignedRemoval {
  url: string;
  header: string;
  status: TokenStatus;
}

/** Under the lock: sign with the current CTR_DATA, persist next(CTR_DATA), return the request. */
async function signRemoval(
  ctx: TokenContext,
  auth: ApproveAuth,
  options: RemoveOptions,
  signatureType: SignatureType,
): Promise<SignedRemoval> {
  return ctx.locked(async () => {
    const state = await ctx.requireState();
    let secondKey: Uint8Array | undefined;
    try {
      const pa = state.powerAuth;
      if (!pa) {
        throw new OffcodeClientError(
          'INVALID_INPUT',
          'this token was enrolled with the plain exchange: remove its activation on the server, then reset()',
        );
      }
      secondKey = await secondFactorKey(ctx, state, auth, options.biometryPrompt ?? 'Remove this token');
      const nonce = encodeBase64(randomBytes(ctx.random, 16));
      const data = onlineSignatureData({
        method: 'POST',
        uriId: URI_ID,
        nonce,
        body: BODY,
        applicationSecret: pa.applicationSecret,
      });
      const factor = signatureType === 'possession_knowledge' ? 'knowledge' : 'biometry';
      const signature = computeOnlineSignature(ctx.suite, {
        signatureType,
        keys: { possession: state.possessionKey, [factor]: secondKey },
        ctrData: state.ctrData,
        data,
      });
      const header = buildAuthorizationHeader({
        activationId: state.activationId,
        applicationKey: pa.applicationKey,
        nonce,
        signatureType,
        signature,
      });
      const counter = await persistNextCounter(ctx, state);
      const url = `${state.serverUrl}/pa/v3/activation/remove`;
      return { url, header, status: { ...toStatus(state), counter } };
    } finally {
      zeroize(secondKey);
      zeroizeState(state);
    }
  });
}

export async function removeActivation(
  ctx: TokenContext,
  auth: ApproveAuth,
  options: RemoveOptions = {},
): Promise<TokenStatus> {
  const useBiometry = validateAuth(auth);
  const signatureType: SignatureType = useBiometry ? 'possession_biometry' : 'possession_knowledge';
  const fetchImpl = ctx.fetch;
  const signed = await signRemoval(ctx, auth, options ?? {}, signatureType);
  const { httpStatus, json } = await postJson(fetchImpl, signed.url, BODY, {
    timeoutMs: ctx.timeoutMs,
    headers: { [AUTHORIZATION_HEADER.toLowerCase()]: signed.header },
  });
  const res = readEnvelope(httpStatus, json);
  if (!res.ok) {
    throw new OffcodeClientError('REMOVE_FAILED', `the server refused the removal (${res.errorCode})`, {
      serverCode: res.errorCode,
    });
  }
  if (res.response.activationId !== undefined && res.response.activationId !== signed.status.activationId) {
    throw new OffcodeClientError('REMOVE_FAILED', 'the server answered for another activation');
  }
  await ctx.locked(async () => {
    const current = await ctx.readState();
    const same = current?.activationId === signed.status.activationId;
    zeroizeState(current);
    if (same) await removeLocalState(ctx);
  });
  return { ...signed.status, activationStatus: 'REMOVED', updatedAt: ctx.nowIso() };
}
