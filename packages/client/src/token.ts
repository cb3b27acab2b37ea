/**
 * OffcodeToken: the mobile-token flows of client.md §3 over a pluggable store.
 *
 * Invariants: a code is only ever computed for a payload whose signature/MAC verified with this
 * activation's keys; the advanced counter is durably written BEFORE a code is returned; a counter value is
 * never used twice (every read-modify-write runs inside `store.lock`); a wrong PIN yields a wrong code,
 * never a local error.
 */

import { equalBytes } from '@noble/curves/utils.js';
import type { OffcodeCrypto } from '@offcode/crypto-wasm';
import {
  type CryptoSuite,
  DEFAULT_OFFLINE_URI_ID,
  deriveActivationSecretV4,
  deriveKeysV3,
  deriveKeysV4,
  deriveMasterSecretV3,
  encodeBase64,
  formatCodeForDisplay,
  isValidName,
  normalizedDataForPayload,
  normalizePrivateKey,
  normalizePublicKey,
  type OfflinePayload,
  PROTOCOL_PARAMETERS,
  parseOfflinePayload,
  publicKeyFromPrivate,
  tryDecodeBase64Strict,
  tryUtf8Decode,
  verifyOfflinePayloadSignature,
} from '@offcode/protocol';
import { normalizeActivationCode } from './activation-code.js';
import { zeroize } from './bytes.js';
import { type EngineChoice, resolveEngine } from './engine.js';
import { OffcodeClientError } from './errors.js';
import {
  basicAuthorization,
  DEFAULT_TIMEOUT_MS,
  type FetchLike,
  normalizeServerUrl,
  postEnvelope,
} from './http.js';
import { pinBytes, saltLength, unwrapKnowledgeKey, wrapKnowledgeKey } from './pin.js';
import { defaultRandom, type RandomSource, randomBytes } from './random.js';
import {
  ACTIVATION_STATUSES,
  type ActivationStatus,
  type BiometryKeyState,
  keySize,
  type Protocol,
  parseState,
  serializeState,
  TOKEN_STATE_FORMAT,
  type TokenState,
  type TokenStatus,
  toStatus,
  zeroizeState,
} from './state.js';
import type { TokenStore } from './stores/types.js';

/** Platform keystore behind a biometric prompt (client.md §2.4). */
export interface BiometryKeyStore {
  /** Stores the key and returns an opaque reference kept in the token state. */
  save(key: Uint8Array): Promise<string>;
  /** Shows the prompt; `null` when cancelled or not enrolled. */
  unlock(ref: string, prompt: string): Promise<Uint8Array | null>;
  remove(ref: string): Promise<void>;
}

export interface OffcodeTokenOptions {
  store: TokenStore;
  /** HTTP client (default `globalThis.fetch`); inject for tests or TLS pinning. */
  fetch?: FetchLike;
  /** CSPRNG (default `crypto.getRandomValues`). */
  random?: RandomSource;
  /** Crypto-engine backend (default `auto`: wasm, else noble). */
  crypto?: EngineChoice;
  /** Platform keystore for the biometry key; without one the key is kept in the state (`protection: none`). */
  biometryKeyStore?: BiometryKeyStore;
  /** Network timeout for exchange and status calls (default 15 000 ms). */
  timeoutMs?: number;
  /** Clock for `createdAt` / `updatedAt` / `statusCheckedAt`. */
  now?: () => Date;
  /**
   * Called after the advanced counter is durable and before `approve` returns the code (auditing, UI,
   * crash tests). If it throws, the code is not returned, the counter value stays consumed.
   */
  afterCounterPersisted?: (counter: number) => void | Promise<void>;
}

export interface ActivateInput {
  serverUrl: string;
  /** The application name the activation was created for (server-checked). */
  applicationId: string;
  activationCode: string;
  pin: string;
  protocol?: Protocol;
  enableBiometry?: boolean;
  /** Pinned application master public key (Base64 or bytes); must equal the server's answer. */
  masterPublicKey?: string | Uint8Array;
}

export type ApprovalMethod = 'pin' | 'biometry';

export interface ScannedOperation {
  /** The verified payload (payload.md §5.1). */
  readonly payload: OfflinePayload;
  /** `pin` always; `biometry` only with flag B and a biometry key. */
  readonly allowed: readonly ApprovalMethod[];
}

export type ApproveAuth = { pin: string } | { biometry: true };

export interface ApproveOptions {
  /** Must equal the verifier's uriId (default `/operation/authorize/offline`). */
  uriId?: string;
  /** Digits per group for this code, 4..8 (default: the activation's `componentLength`). */
  componentLength?: number;
  /** Text of the biometric prompt (platform keystore only). */
  biometryPrompt?: string;
}

export interface ApprovalResult {
  /** `12345678-90123456` (groups of `componentLength` digits): what the user types. */
  code: string;
  /** Presentation form (`1234-5678-9012-3456` for 8-digit groups). */
  display: string;
  /** Codes computed so far, including this one. */
  counter: number;
}

export interface StatusOptions {
  /** Refresh from `POST {serverUrl}/rest/v3/activation/status` first. */
  remote?: boolean;
  /** HTTP Basic credentials when the server requires integration credentials (server.md §1.5). */
  credentials?: { username: string; password: string };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class OffcodeToken {
  private readonly store: TokenStore;
  private readonly fetchImpl: FetchLike | undefined;
  private readonly random: RandomSource;
  private readonly engineChoice: EngineChoice;
  private engineInstance: OffcodeCrypto | undefined;
  private suiteInstance: CryptoSuite | undefined;
  private readonly biometryKeyStore: BiometryKeyStore | undefined;
  private readonly timeoutMs: number;
  private readonly now: () => Date;
  private readonly afterCounterPersisted: OffcodeTokenOptions['afterCounterPersisted'];

  constructor(options: OffcodeTokenOptions) {
    const store = options?.store;
    if (!store || typeof store.read !== 'function' || typeof store.lock !== 'function') {
      throw new OffcodeClientError('INVALID_INPUT', 'store must implement the TokenStore interface');
    }
    this.store = store;
    const globalFetch = (globalThis as { fetch?: FetchLike }).fetch;
    this.fetchImpl = options.fetch ?? (globalFetch ? (input, init) => globalFetch(input, init) : undefined);
    this.random = options.random ?? defaultRandom;
    this.engineChoice = options.crypto ?? 'auto';
    this.biometryKeyStore = options.biometryKeyStore;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.now = options.now ?? (() => new Date());
    this.afterCounterPersisted = options.afterCounterPersisted;
  }

  /** The crypto engine in use (`wasm` or `noble`). */
  get engine(): OffcodeCrypto {
    this.engineInstance ??= resolveEngine(this.engineChoice);
    return this.engineInstance;
  }

  /**
   * The one crypto suite of this token: its engine for every hash, MAC and code, EC/AES `auto` (node:crypto
   * where present, else @noble). Nothing else chooses.
   */
  private get suite(): CryptoSuite {
    this.suiteInstance ??= { engine: this.engine, impl: 'auto' };
    return this.suiteInstance;
  }

  // ---------------------------------------------------------------- state

  private async readState(): Promise<TokenState | null> {
    const text = await this.storeCall('read', () => this.store.read());
    if (text === null) return null;
    if (typeof text !== 'string')
      throw new OffcodeClientError('STORAGE_FAILURE', 'the store returned no text');
    return parseState(text, (protocol, point) => isCurvePoint(protocol, point));
  }

  private async requireState(): Promise<TokenState> {
    const s = await this.readState();
    if (s === null)
      throw new OffcodeClientError('NOT_ACTIVATED', 'there is no activated token in this store');
    if (s.activationStatus === 'REMOVED') {
      zeroizeState(s);
      throw new OffcodeClientError('NOT_ACTIVATED', 'the activation was removed on the server');
    }
    return s;
  }

  private async writeState(s: TokenState): Promise<void> {
    const text = serializeState(s);
    await this.storeCall('write', () => this.store.write(text));
  }

  private async storeCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof OffcodeClientError) throw e;
      throw new OffcodeClientError('STORAGE_FAILURE', `the token store failed to ${what}`, { cause: e });
    }
  }

  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    let entered = false;
    try {
      return await this.store.lock(async () => {
        entered = true;
        return fn();
      });
    } catch (e) {
      if (e instanceof OffcodeClientError) throw e;
      if (!entered)
        throw new OffcodeClientError('STORAGE_FAILURE', 'the token store cannot be locked', { cause: e });
      throw e;
    }
  }

  private nowIso(): string {
    return this.now().toISOString();
  }

  // ---------------------------------------------------------------- activate (§3.1)

  async activate(input: ActivateInput): Promise<TokenStatus> {
    if (typeof input !== 'object' || input === null)
      throw new OffcodeClientError('INVALID_INPUT', 'activate needs an input object');
    const serverUrl = normalizeServerUrl(input.serverUrl);
    const applicationId = input.applicationId;
    if (!isValidName(applicationId)) {
      throw new OffcodeClientError(
        'INVALID_INPUT',
        'applicationId must have 1..255 characters without control characters',
      );
    }
    const activationCode = normalizeActivationCode(input.activationCode);
    zeroize(pinBytes(input.pin));
    const protocol = input.protocol ?? 3;
    if (protocol !== 3 && protocol !== 4)
      throw new OffcodeClientError('INVALID_INPUT', 'protocol must be 3 or 4');
    const enableBiometry = input.enableBiometry ?? false;
    if (typeof enableBiometry !== 'boolean')
      throw new OffcodeClientError('INVALID_INPUT', 'enableBiometry must be a boolean');
    let pinned: Uint8Array | undefined;
    if (input.masterPublicKey !== undefined) {
      const raw =
        typeof input.masterPublicKey === 'string'
          ? tryDecodeBase64Strict(input.masterPublicKey)
          : input.masterPublicKey;
      pinned = raw instanceof Uint8Array ? toCurvePoint(protocol, raw) : undefined;
      if (!pinned) {
        throw new OffcodeClientError(
          'INVALID_INPUT',
          `master public key must be strict Base64 of a ${PROTOCOL_PARAMETERS[protocol].curve} point`,
        );
      }
    }
    const fetchImpl = this.fetchImpl;
    if (!fetchImpl) throw new OffcodeClientError('NETWORK_ERROR', 'no fetch implementation is available');
    const engine = this.engine;

    // Taking the lock first proves the store is usable before the one-shot activation code is spent.
    return this.locked(async () => {
      const existing = await this.readState();
      if (existing !== null) {
        zeroizeState(existing);
        throw new OffcodeClientError(
          'ALREADY_ACTIVATED',
          'this store already holds a token (reset it first)',
        );
      }
      const device = this.generateDeviceKeyPair(protocol);
      let secrets: Uint8Array[] = [device.privateKey];
      try {
        const res = await postEnvelope(
          fetchImpl,
          `${serverUrl}/rest/offcode/activation/exchange`,
          {
            activationCode,
            protocolVersion: protocol,
            devicePublicKey: encodeBase64(device.publicKey),
            applicationId,
            enableBiometry,
          },
          { timeoutMs: this.timeoutMs },
        );
        if (!res.ok) {
          throw new OffcodeClientError(
            'ACTIVATION_FAILED',
            `the server refused the activation (${res.errorCode})`,
            {
              serverCode: res.errorCode,
            },
          );
        }
        const r = validateExchange(res.response, protocol);
        if (pinned && !equalBytes(pinned, r.masterPublicKey)) {
          throw new OffcodeClientError(
            'ACTIVATION_FAILED',
            'the server master public key does not match the pinned key',
          );
        }
        let possession: Uint8Array;
        let knowledge: Uint8Array;
        let biometry: Uint8Array;
        let macKey: Uint8Array | null = null;
        if (protocol === 3) {
          const master = deriveMasterSecretV3(this.suite, device.privateKey, r.serverPublicKey);
          const keys = deriveKeysV3(this.suite, master);
          secrets = [...secrets, master, keys.transport, keys.vault];
          ({ possession, knowledge, biometry } = keys);
        } else {
          const activationSecret = deriveActivationSecretV4(this.suite, device.privateKey, r.serverPublicKey);
          const keys = deriveKeysV4(this.suite, activationSecret);
          secrets = [...secrets, activationSecret, keys.macCtrData];
          ({ possession, knowledge, biometry } = keys);
          macKey = keys.macPersonalizedData;
        }
        secrets.push(knowledge, biometry);
        const knowledgeKey = wrapKnowledgeKey(
          engine,
          protocol,
          input.pin,
          randomBytes(this.random, saltLength(protocol)),
          knowledge,
        );
        let biometryKey: BiometryKeyState = null;
        if (enableBiometry) {
          if (this.biometryKeyStore) {
            const ref = await this.biometryKeyStore.save(biometry.slice()).catch((e: unknown) => {
              throw new OffcodeClientError(
                'BIOMETRY_UNAVAILABLE',
                'the platform keystore refused the biometry key',
                { cause: e },
              );
            });
            if (typeof ref !== 'string' || ref.length === 0) {
              throw new OffcodeClientError(
                'BIOMETRY_UNAVAILABLE',
                'the platform keystore returned no reference',
              );
            }
            biometryKey = { protection: 'platform', ref };
          } else {
            biometryKey = { protection: 'none', key: biometry.slice() };
          }
        }
        const at = this.nowIso();
        const state: TokenState = {
          format: TOKEN_STATE_FORMAT,
          protocol,
          activationId: r.activationId,
          applicationId,
          serverUrl,
          activationStatus: r.activationStatus,
          blockedReason: null,
          statusCheckedAt: null,
          componentLength: r.componentLength,
          counter: 0,
          ctrData: r.ctrData,
          possessionKey: possession,
          knowledgeKey,
          biometryKey,
          serverPublicKey: r.serverPublicKey,
          macKey,
          masterPublicKeys: [r.masterPublicKey],
          createdAt: at,
          updatedAt: at,
        };
        try {
          await this.writeState(state);
        } catch (e) {
          throw new OffcodeClientError(
            'STORAGE_FAILURE',
            `the token state could not be saved; remove activation ${r.activationId} on the server and activate again`,
            { cause: e },
          );
        }
        const status = toStatus(state);
        zeroizeState(state);
        return status;
      } finally {
        zeroize(...secrets);
      }
    });
  }

  private generateDeviceKeyPair(protocol: Protocol): { privateKey: Uint8Array; publicKey: Uint8Array } {
    const { curve, privateKeyBytes } = PROTOCOL_PARAMETERS[protocol];
    for (let attempt = 0; attempt < 64; attempt++) {
      const candidate = randomBytes(this.random, privateKeyBytes);
      let privateKey: Uint8Array;
      try {
        privateKey = normalizePrivateKey(curve, candidate).slice();
      } catch {
        zeroize(candidate);
        continue; // 0 or ≥ n: draw again (probability about 2^-32 per draw or less)
      } finally {
        zeroize(candidate);
      }
      return { privateKey, publicKey: publicKeyFromPrivate(this.suite, curve, privateKey) };
    }
    throw new OffcodeClientError(
      'CRYPTO_UNAVAILABLE',
      'the random source does not produce valid private keys',
    );
  }

  // ---------------------------------------------------------------- scan (§3.2)

  async scan(payload: string | Uint8Array): Promise<ScannedOperation> {
    const state = await this.requireState();
    try {
      return this.verifyPayload(state, payload);
    } finally {
      zeroizeState(state);
    }
  }

  private verifyPayload(state: TokenState, input: string | Uint8Array): ScannedOperation {
    if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
      throw new OffcodeClientError('INVALID_INPUT', 'payload must be a string or bytes');
    }
    // Strict UTF-8 (protocol falls back to plain JS where TextDecoder is missing, e.g. on Hermes).
    const text = typeof input === 'string' ? input : tryUtf8Decode(input);
    if (text === null) {
      throw new OffcodeClientError('INVALID_QR', 'payload bytes are not valid UTF-8', {
        reason: 'INVALID_UTF8',
      });
    }
    const parsed = parseOfflinePayload(text);
    if (!parsed.ok) {
      throw new OffcodeClientError('INVALID_QR', parsed.error.message, {
        reason: parsed.error.reason,
        cause: parsed.error,
      });
    }
    const payload = parsed.value;
    const { keyType } = payload;
    if (!PROTOCOL_PARAMETERS[state.protocol].validKeyTypes.includes(keyType)) {
      throw new OffcodeClientError(
        'WRONG_ACTIVATION',
        `the payload is personalized for a protocol ${keyType === 1 ? 3 : 4} activation, not this one`,
      );
    }
    const protocol = state.protocol;
    let valid = false;
    try {
      if (keyType === 0) {
        valid = state.masterPublicKeys.some((masterPublicKey) =>
          verifyOfflinePayloadSignature(this.suite, payload, { protocol, masterPublicKey }),
        );
      } else if (keyType === 1) {
        valid = verifyOfflinePayloadSignature(this.suite, payload, {
          protocol,
          serverPublicKey: state.serverPublicKey,
        });
      } else if (state.macKey) {
        valid = verifyOfflinePayloadSignature(this.suite, payload, { protocol, macKey: state.macKey });
      }
    } catch {
      valid = false;
    }
    if (!valid) {
      throw new OffcodeClientError(
        'SIGNATURE_INVALID',
        keyType === 0
          ? 'the payload signature does not verify with the application master key'
          : 'the payload was not issued for this activation, or modified',
      );
    }
    const allowed: ApprovalMethod[] = ['pin'];
    if (payload.flags.biometricsAllowed && state.biometryKey !== null) allowed.push('biometry');
    return Object.freeze({ payload, allowed: Object.freeze(allowed) });
  }

  // ---------------------------------------------------------------- approve (§3.3)

  async approve(
    op: ScannedOperation | string | Uint8Array,
    auth: ApproveAuth,
    options: ApproveOptions = {},
  ): Promise<ApprovalResult> {
    // Re-verify from the payload text every time: a code is never computed for an object that did not
    // come out of a successful scan with the current keys.
    const text = typeof op === 'string' || op instanceof Uint8Array ? op : payloadText(op);
    const useBiometry = validateAuth(auth);
    const uriId = options.uriId ?? DEFAULT_OFFLINE_URI_ID;
    if (typeof uriId !== 'string' || uriId.length === 0)
      throw new OffcodeClientError('INVALID_INPUT', 'uriId must be a non-empty string');
    const lengthOverride = options.componentLength;
    if (
      lengthOverride !== undefined &&
      !(Number.isInteger(lengthOverride) && lengthOverride >= 4 && lengthOverride <= 8)
    ) {
      throw new OffcodeClientError('INVALID_INPUT', 'componentLength must be an integer 4..8');
    }
    const engine = this.engine;

    return this.locked(async () => {
      const state = await this.requireState();
      let secondKey: Uint8Array | undefined;
      try {
        const { payload } = this.verifyPayload(state, text);
        if (useBiometry) {
          if (!payload.flags.biometricsAllowed) {
            throw new OffcodeClientError(
              'BIOMETRY_NOT_ALLOWED',
              'this operation does not allow approval with biometry',
            );
          }
          secondKey = await this.unlockBiometry(state, options.biometryPrompt);
        } else {
          // Cannot fail for a wrong PIN: it just gives another key, hence a code the server rejects.
          secondKey = unwrapKnowledgeKey(
            engine,
            state.protocol,
            (auth as { pin: string }).pin,
            state.knowledgeKey,
          );
        }
        const data = normalizedDataForPayload(payload, { uriId });
        const code = engine.computeAuthCode({
          protocol: state.protocol,
          keys: [state.possessionKey, secondKey],
          counter: state.ctrData,
          data,
          format: 'decimal',
          length: lengthOverride ?? state.componentLength,
        });
        const next: TokenState = {
          ...state,
          ctrData: engine.nextCounter(state.protocol, state.ctrData),
          counter: state.counter + 1,
          updatedAt: this.nowIso(),
        };
        await this.writeState(next); // durable before the code leaves this function
        next.ctrData.fill(0);
        if (this.afterCounterPersisted) await this.afterCounterPersisted(next.counter);
        return { code, display: formatCodeForDisplay(code), counter: next.counter };
      } finally {
        zeroize(secondKey);
        zeroizeState(state);
      }
    });
  }

  private async unlockBiometry(state: TokenState, prompt = 'Approve the operation'): Promise<Uint8Array> {
    const bk = state.biometryKey;
    if (bk === null) throw new OffcodeClientError('BIOMETRY_UNAVAILABLE', 'this token has no biometry key');
    if (bk.protection === 'none') return bk.key.slice();
    if (!this.biometryKeyStore) {
      throw new OffcodeClientError(
        'BIOMETRY_UNAVAILABLE',
        'the biometry key is in a platform keystore that is not configured',
      );
    }
    let key: Uint8Array | null;
    try {
      key = await this.biometryKeyStore.unlock(bk.ref, prompt);
    } catch (e) {
      throw new OffcodeClientError(
        'BIOMETRY_UNAVAILABLE',
        'the platform refused to unlock the biometry key',
        { cause: e },
      );
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

  // ---------------------------------------------------------------- status (§3.4)

  async status(options: StatusOptions = {}): Promise<TokenStatus> {
    if (!options.remote) {
      const s = await this.requireStateForStatus();
      const st = toStatus(s);
      zeroizeState(s);
      return st;
    }
    const fetchImpl = this.fetchImpl;
    if (!fetchImpl) throw new OffcodeClientError('NETWORK_ERROR', 'no fetch implementation is available');
    const headers: Record<string, string> = {};
    if (options.credentials) {
      const { username, password } = options.credentials;
      if (typeof username !== 'string' || typeof password !== 'string' || username.includes(':')) {
        throw new OffcodeClientError(
          'INVALID_INPUT',
          'credentials need a username without ":" and a password',
        );
      }
      headers.authorization = basicAuthorization(username, password);
    }
    const before = await this.requireStateForStatus();
    zeroizeState(before);
    const res = await postEnvelope(
      fetchImpl,
      `${before.serverUrl}/rest/v3/activation/status`,
      { activationId: before.activationId },
      { timeoutMs: this.timeoutMs, headers },
    );
    if (!res.ok) {
      throw new OffcodeClientError(
        'NETWORK_ERROR',
        `the server refused the status request (${res.errorCode})`,
        {
          serverCode: res.errorCode,
        },
      );
    }
    const remoteStatus = res.response.activationStatus;
    if (!ACTIVATION_STATUSES.includes(remoteStatus as ActivationStatus)) {
      throw new OffcodeClientError('NETWORK_ERROR', 'the server answered an unknown activation status');
    }
    const reason = res.response.blockedReason;
    return this.locked(async () => {
      const s = await this.requireStateForStatus();
      try {
        if (s.activationId !== before.activationId) {
          throw new OffcodeClientError(
            'STORAGE_FAILURE',
            'the token changed while its status was being refreshed',
          );
        }
        const at = this.nowIso();
        const next: TokenState = {
          ...s,
          activationStatus: remoteStatus as ActivationStatus,
          blockedReason: typeof reason === 'string' ? reason.slice(0, 255) : null,
          statusCheckedAt: at,
          updatedAt: at,
        };
        await this.writeState(next);
        return toStatus(next);
      } finally {
        zeroizeState(s);
      }
    });
  }

  /** Status works on a REMOVED token too (it is how the user learns about the removal). */
  private async requireStateForStatus(): Promise<TokenState> {
    const s = await this.readState();
    if (s === null)
      throw new OffcodeClientError('NOT_ACTIVATED', 'there is no activated token in this store');
    return s;
  }

  // ---------------------------------------------------------------- maintenance

  /**
   * Re-wraps the knowledge key under a new PIN with a fresh salt. A wrong old PIN cannot be detected
   * (crypto.md §10): it silently produces a token whose codes the server rejects. UIs must warn and ask
   * for the new PIN twice.
   */
  async changePin(oldPin: string, newPin: string): Promise<void> {
    zeroize(pinBytes(oldPin, 'old PIN'), pinBytes(newPin, 'new PIN'));
    const engine = this.engine;
    await this.locked(async () => {
      const s = await this.requireState();
      let knowledge: Uint8Array | undefined;
      try {
        knowledge = unwrapKnowledgeKey(engine, s.protocol, oldPin, s.knowledgeKey);
        const knowledgeKey = wrapKnowledgeKey(
          engine,
          s.protocol,
          newPin,
          randomBytes(this.random, saltLength(s.protocol)),
          knowledge,
        );
        await this.writeState({ ...s, knowledgeKey, updatedAt: this.nowIso() });
      } finally {
        zeroize(knowledge);
        zeroizeState(s);
      }
    });
  }

  /** Deletes the local state (and the platform biometry key). The server-side activation is untouched. */
  async reset(): Promise<void> {
    await this.locked(async () => {
      const s = await this.readState().catch((e: unknown) => {
        // An unreadable state must still be removable.
        if (e instanceof OffcodeClientError && e.code === 'STORAGE_FAILURE') return null;
        throw e;
      });
      await this.storeCall('remove', () => this.store.remove());
      if (s?.biometryKey?.protection === 'platform' && this.biometryKeyStore) {
        await this.biometryKeyStore.remove(s.biometryKey.ref).catch(() => undefined);
      }
      zeroizeState(s);
    });
  }
}

function payloadText(op: ScannedOperation): string {
  const p = op?.payload;
  if (!p || typeof p.signedData !== 'string' || typeof p.signatureBase64 !== 'string') {
    throw new OffcodeClientError('INVALID_INPUT', 'operation must come from scan() or be the payload text');
  }
  return p.signedData + p.signatureBase64;
}

function validateAuth(auth: ApproveAuth): boolean {
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

function isCurvePoint(protocol: Protocol, point: Uint8Array): boolean {
  return toCurvePoint(protocol, point) !== undefined;
}

/** Uncompressed form of a valid point on the protocol's curve, or undefined. */
function toCurvePoint(protocol: Protocol, raw: Uint8Array): Uint8Array | undefined {
  try {
    return normalizePublicKey(PROTOCOL_PARAMETERS[protocol].curve, raw);
  } catch {
    return undefined;
  }
}

interface ExchangeResult {
  activationId: string;
  activationStatus: 'PENDING_COMMIT' | 'ACTIVE';
  serverPublicKey: Uint8Array;
  masterPublicKey: Uint8Array;
  ctrData: Uint8Array;
  componentLength: number;
}

function validateExchange(r: Record<string, unknown>, protocol: Protocol): ExchangeResult {
  const bad = (field: string, rule: string): never => {
    throw new OffcodeClientError('ACTIVATION_FAILED', `invalid exchange response: ${field} ${rule}`);
  };
  const activationId = r.activationId;
  if (typeof activationId !== 'string' || !UUID.test(activationId)) bad('activationId', 'must be a UUID');
  if (r.protocolVersion !== protocol) bad('protocolVersion', `must be ${protocol}`);
  const point = (field: string): Uint8Array => {
    const v = r[field];
    const raw = typeof v === 'string' ? tryDecodeBase64Strict(v) : null;
    const p = raw ? toCurvePoint(protocol, raw) : undefined;
    return p ?? bad(field, `must be a ${PROTOCOL_PARAMETERS[protocol].curve} public key`);
  };
  const serverPublicKey = point('serverPublicKey');
  const masterPublicKey = point('masterPublicKey');
  const ctr = typeof r.ctrData === 'string' ? tryDecodeBase64Strict(r.ctrData) : null;
  if (!ctr || ctr.length !== keySize(protocol))
    bad('ctrData', `must be Base64 of ${keySize(protocol)} bytes`);
  const status = r.activationStatus;
  if (status !== 'PENDING_COMMIT' && status !== 'ACTIVE')
    bad('activationStatus', 'must be PENDING_COMMIT or ACTIVE');
  const len = r.offlineComponentLength ?? 8;
  if (typeof len !== 'number' || !Number.isInteger(len) || len < 4 || len > 8)
    bad('offlineComponentLength', 'must be an integer 4..8');
  return {
    activationId: (activationId as string).toLowerCase(),
    activationStatus: status as 'PENDING_COMMIT' | 'ACTIVE',
    serverPublicKey,
    masterPublicKey,
    ctrData: ctr as Uint8Array,
    componentLength: len as number,
  };
}
