/**
 * What every token flow shares: the injected dependencies, the one crypto suite, and the state store
 * (read, validate, write, lock). Every read-modify-write of the state runs inside `locked`.
 */
import type { OffcodeCrypto } from '@offcode/crypto-wasm';
import type { CryptoSuite } from '@offcode/protocol';
import { type EngineChoice, resolveEngine } from './engine.js';
import { OffcodeClientError } from './errors.js';
import { DEFAULT_TIMEOUT_MS, type FetchLike } from './http.js';
import { isCurvePoint } from './points.js';
import { defaultRandom, type RandomSource } from './random.js';
import { parseState, serializeState, type TokenState, zeroizeState } from './state.js';
import type { TokenStore } from './stores/types.js';
import type { BiometryKeyStore, OffcodeTokenOptions } from './types.js';

export class TokenContext {
  readonly store: TokenStore;
  readonly random: RandomSource;
  readonly biometryKeyStore: BiometryKeyStore | undefined;
  readonly timeoutMs: number;
  readonly now: () => Date;
  readonly afterCounterPersisted: OffcodeTokenOptions['afterCounterPersisted'];
  private readonly fetchImpl: FetchLike | undefined;
  private readonly engineChoice: EngineChoice;
  private engineInstance: OffcodeCrypto | undefined;
  private suiteInstance: CryptoSuite | undefined;

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

  /** The crypto engine in use (`wasm` or `noble`), resolved once. */
  get engine(): OffcodeCrypto {
    this.engineInstance ??= resolveEngine(this.engineChoice);
    return this.engineInstance;
  }

  /**
   * The one crypto suite of this token: its engine for every hash, MAC and code, EC/AES `auto` (node:crypto
   * where present, else @noble). Nothing else chooses.
   */
  get suite(): CryptoSuite {
    this.suiteInstance ??= { engine: this.engine, impl: 'auto' };
    return this.suiteInstance;
  }

  get fetch(): FetchLike {
    if (!this.fetchImpl)
      throw new OffcodeClientError('NETWORK_ERROR', 'no fetch implementation is available');
    return this.fetchImpl;
  }

  nowIso(): string {
    return this.now().toISOString();
  }

  async readState(): Promise<TokenState | null> {
    const text = await this.storeCall('read', () => this.store.read());
    if (text === null) return null;
    if (typeof text !== 'string')
      throw new OffcodeClientError('STORAGE_FAILURE', 'the store returned no text');
    return parseState(text, isCurvePoint);
  }

  /** Status works on a REMOVED token too (it is how the user learns about the removal). */
  async requireAnyState(): Promise<TokenState> {
    const s = await this.readState();
    if (s === null)
      throw new OffcodeClientError('NOT_ACTIVATED', 'there is no activated token in this store');
    return s;
  }

  /** A token that can still compute codes: present and not REMOVED. */
  async requireState(): Promise<TokenState> {
    const s = await this.requireAnyState();
    if (s.activationStatus === 'REMOVED') {
      zeroizeState(s);
      throw new OffcodeClientError('NOT_ACTIVATED', 'the activation was removed on the server');
    }
    return s;
  }

  async writeState(s: TokenState): Promise<void> {
    const text = serializeState(s);
    await this.storeCall('write', () => this.store.write(text));
  }

  async storeCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof OffcodeClientError) throw e;
      throw new OffcodeClientError('STORAGE_FAILURE', `the token store failed to ${what}`, { cause: e });
    }
  }

  async locked<T>(fn: () => Promise<T>): Promise<T> {
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
}
