/**
 * Activation (client.md §3.1), the same for every key-exchange mechanism: validate the input before any
 * network call, take the lock (the store must be usable before the one-shot activation code is spent),
 * generate the device key pair, run the mechanism's exchange, derive the keys, wrap the knowledge key,
 * store the biometry key and write the state; every secret is zeroed afterwards.
 */
import { equalBytes } from '@noble/curves/utils.js';
import { type CryptoSuite, isValidName, PROTOCOL_PARAMETERS } from '@offcode/protocol';
import { normalizeActivationCode } from '../activation-code.js';
import { zeroize } from '../bytes.js';
import type { TokenContext } from '../context.js';
import { OffcodeClientError } from '../errors.js';
import { normalizeServerUrl } from '../http.js';
import { pinBytes, saltLength, wrapKnowledgeKey } from '../pin.js';
import { pointFrom } from '../points.js';
import { refreshPowerAuthStatus } from '../powerauth/status.js';
import { randomBytes } from '../random.js';
import {
  type BiometryKeyState,
  type Protocol,
  TOKEN_STATE_FORMAT,
  type TokenState,
  type TokenStatus,
  toStatus,
  zeroizeState,
} from '../state.js';
import type { ActivateInput } from '../types.js';
import { generateDeviceKeyPair } from './device-key.js';
import type { ExchangeContext, ExchangedActivation, KeyExchange } from './key-exchange.js';
import { type ActivationKeys, deriveActivationKeys } from './keys.js';
import { plainExchange } from './plain.js';
import { powerAuthExchange } from './powerauth.js';
import { resolveMobileSdkConfig } from './sdk-config.js';

interface CheckedActivation {
  serverUrl: string;
  applicationId: string;
  pin: string;
  protocol: Protocol;
  enableBiometry: boolean;
  pinned: Uint8Array | undefined;
  exchange: KeyExchange;
}

function invalid(message: string, field?: string): never {
  throw new OffcodeClientError('INVALID_INPUT', message, field === undefined ? {} : { field });
}

function checkApplicationId(value: unknown): string {
  if (!isValidName(value))
    invalid('applicationId must have 1..255 characters without control characters', 'applicationId');
  return value as string;
}

function checkCommon(input: ActivateInput) {
  if (typeof input !== 'object' || input === null) invalid('activate needs an input object');
  const serverUrl = normalizeServerUrl(input.serverUrl);
  zeroize(pinBytes(input.pin));
  const protocol = input.protocol ?? 3;
  if (protocol !== 3 && protocol !== 4) invalid('protocol must be 3 or 4', 'protocol');
  const enableBiometry = input.enableBiometry ?? false;
  if (typeof enableBiometry !== 'boolean') invalid('enableBiometry must be a boolean', 'enableBiometry');
  const mechanism = input.mechanism ?? (input.applicationKey !== undefined ? 'powerauth' : 'plain');
  if (mechanism !== 'plain' && mechanism !== 'powerauth')
    invalid('mechanism must be "plain" or "powerauth"', 'mechanism');
  if (mechanism === 'powerauth' && protocol !== 3)
    invalid('the PowerAuth mechanism enrols protocol 3 activations only', 'mechanism');
  let pinned: Uint8Array | undefined;
  if (input.masterPublicKey !== undefined) {
    pinned = pointFrom(protocol, input.masterPublicKey);
    if (!pinned) {
      const curve = PROTOCOL_PARAMETERS[protocol].curve;
      invalid(`master public key must be strict Base64 of a ${curve} point`, 'masterPublicKey');
    }
  }
  return { serverUrl, protocol: protocol as Protocol, enableBiometry, pinned, mechanism };
}

/** Validates everything before any lock or network call; picks the mechanism. */
export function checkActivateInput(given: ActivateInput, suite: () => CryptoSuite): CheckedActivation {
  const input = resolveMobileSdkConfig(given);
  const c = checkCommon(input);
  if (c.mechanism === 'plain') {
    const applicationId = checkApplicationId(input.applicationId);
    const activationCode = normalizeActivationCode(input.activationCode);
    const exchange = plainExchange({ ...c, applicationId, activationCode });
    return { ...c, applicationId, pin: input.pin, exchange };
  }
  if (!c.pinned) invalid('the PowerAuth mechanism needs the master public key', 'masterPublicKey');
  const exchange = powerAuthExchange(suite(), {
    serverUrl: c.serverUrl,
    activationCode: input.activationCode,
    applicationKey: input.applicationKey,
    applicationSecret: input.applicationSecret,
    masterPublicKey: c.pinned,
    device: input.device,
  });
  const applicationId =
    input.applicationId === undefined
      ? String(input.applicationKey)
      : checkApplicationId(input.applicationId);
  return { ...c, applicationId, pin: input.pin, exchange };
}

export async function activate(ctx: TokenContext, input: ActivateInput): Promise<TokenStatus> {
  const request = checkActivateInput(input, () => ctx.suite);
  const exchangeContext: ExchangeContext = {
    suite: ctx.suite,
    fetch: ctx.fetch,
    random: ctx.random,
    timeoutMs: ctx.timeoutMs,
    now: ctx.now,
  };
  const { status, statusKnown } = await ctx.locked(async () => {
    const existing = await ctx.readState();
    if (existing !== null) {
      zeroizeState(existing);
      throw new OffcodeClientError('ALREADY_ACTIVATED', 'this store already holds a token (reset it first)');
    }
    const device = generateDeviceKeyPair(ctx.suite, ctx.random, request.protocol);
    const secrets: Uint8Array[] = [device.privateKey];
    try {
      const r = await request.exchange.exchange(exchangeContext, device);
      if (request.pinned && !equalBytes(request.pinned, r.masterPublicKey)) {
        throw new OffcodeClientError(
          'ACTIVATION_FAILED',
          'the server master public key does not match the pinned key',
        );
      }
      const keys = deriveActivationKeys(ctx.suite, request.protocol, device.privateKey, r.serverPublicKey);
      secrets.push(...keys.secrets);
      const state = await buildState(ctx, request, r, keys);
      await saveNewState(ctx, state);
      const result = { status: toStatus(state), statusKnown: r.statusKnown };
      zeroizeState(state);
      return result;
    } finally {
      zeroize(...secrets);
    }
  });
  if (statusKnown) return status;
  // PowerAuth's answer does not say ACTIVE or PENDING_COMMIT: read the status now. The activation is
  // stored either way; when the server cannot be reached the status stays PENDING_COMMIT, unchecked.
  return refreshPowerAuthStatus(ctx, status.activationId).catch((e: unknown) => {
    if (e instanceof OffcodeClientError && e.code === 'NETWORK_ERROR') return status;
    throw e;
  });
}

async function buildState(
  ctx: TokenContext,
  request: CheckedActivation,
  r: ExchangedActivation,
  keys: ActivationKeys,
): Promise<TokenState> {
  const { protocol } = request;
  const salt = randomBytes(ctx.random, saltLength(protocol));
  const knowledgeKey = wrapKnowledgeKey(ctx.engine, protocol, request.pin, salt, keys.knowledge);
  const biometryKey = request.enableBiometry ? await saveBiometryKey(ctx, keys.biometry) : null;
  const at = ctx.nowIso();
  return {
    format: TOKEN_STATE_FORMAT,
    protocol,
    activationId: r.activationId,
    applicationId: request.applicationId,
    serverUrl: request.serverUrl,
    activationStatus: r.activationStatus,
    blockedReason: null,
    statusCheckedAt: null,
    componentLength: r.componentLength,
    counter: 0,
    ctrData: r.ctrData,
    possessionKey: keys.possession,
    knowledgeKey,
    biometryKey,
    serverPublicKey: r.serverPublicKey,
    macKey: keys.macKey,
    masterPublicKeys: [r.masterPublicKey],
    powerAuth: request.exchange.tokenState(keys),
    createdAt: at,
    updatedAt: at,
  };
}

async function saveBiometryKey(ctx: TokenContext, biometry: Uint8Array): Promise<BiometryKeyState> {
  const keystore = ctx.biometryKeyStore;
  if (!keystore) return { protection: 'none', key: biometry.slice() };
  const ref = await keystore.save(biometry.slice()).catch((e: unknown) => {
    throw new OffcodeClientError('BIOMETRY_UNAVAILABLE', 'the platform keystore refused the biometry key', {
      cause: e,
    });
  });
  if (typeof ref !== 'string' || ref.length === 0) {
    throw new OffcodeClientError('BIOMETRY_UNAVAILABLE', 'the platform keystore returned no reference');
  }
  return { protection: 'platform', ref };
}

async function saveNewState(ctx: TokenContext, state: TokenState): Promise<void> {
  try {
    await ctx.writeState(state);
  } catch (e) {
    throw new OffcodeClientError(
      'STORAGE_FAILURE',
      `the token state could not be saved; remove activation ${state.activationId} on the server and activate again`,
      { cause: e },
    );
  }
}
