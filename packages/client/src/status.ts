/**
 * Status (client.md §3.4): the local summary, or a refresh from the server first. Plain tokens ask the
 * integration route `/rest/v3/activation/status`; PowerAuth-enrolled tokens read the encrypted status blob
 * of `/pa/v3/activation/status` (powerauth/status.ts).
 */
import type { TokenContext } from './context.js';
import { OffcodeClientError } from './errors.js';
import { basicAuthorization, postEnvelope } from './http.js';
import { refreshPowerAuthStatus } from './powerauth/status.js';
import {
  ACTIVATION_STATUSES,
  type ActivationStatus,
  type TokenStatus,
  toStatus,
  zeroizeState,
} from './state.js';
import { updateStatus } from './state-update.js';
import type { StatusOptions } from './types.js';

export async function status(ctx: TokenContext, options: StatusOptions = {}): Promise<TokenStatus> {
  if (!options?.remote) {
    const s = await ctx.requireAnyState();
    const st = toStatus(s);
    zeroizeState(s);
    return st;
  }
  const headers = credentialHeaders(options.credentials);
  const fetchImpl = ctx.fetch;
  const before = await ctx.requireAnyState();
  zeroizeState(before);
  if (before.powerAuth) return refreshPowerAuthStatus(ctx, before.activationId);
  const res = await postEnvelope(
    fetchImpl,
    `${before.serverUrl}/rest/v3/activation/status`,
    { activationId: before.activationId },
    { timeoutMs: ctx.timeoutMs, headers },
  );
  if (!res.ok) {
    throw new OffcodeClientError(
      'NETWORK_ERROR',
      `the server refused the status request (${res.errorCode})`,
      { serverCode: res.errorCode },
    );
  }
  const remoteStatus = res.response.activationStatus;
  if (!ACTIVATION_STATUSES.includes(remoteStatus as ActivationStatus)) {
    throw new OffcodeClientError('NETWORK_ERROR', 'the server answered an unknown activation status');
  }
  const reason = res.response.blockedReason;
  return updateStatus(ctx, before.activationId, (s, at) => ({
    ...s,
    activationStatus: remoteStatus as ActivationStatus,
    blockedReason: typeof reason === 'string' ? reason.slice(0, 255) : null,
    statusCheckedAt: at,
    updatedAt: at,
  }));
}

function credentialHeaders(credentials: StatusOptions['credentials']): Record<string, string> {
  if (!credentials) return {};
  const { username, password } = credentials;
  if (typeof username !== 'string' || typeof password !== 'string' || username.includes(':')) {
    throw new OffcodeClientError('INVALID_INPUT', 'credentials need a username without ":" and a password');
  }
  return { authorization: basicAuthorization(username, password) };
}
