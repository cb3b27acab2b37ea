import { OffcodeClientError } from '../errors.js';
import { PromiseQueue, type TokenStore } from './types.js';

/**
 * A `localStorage`-like key-value API; each method may be synchronous (`localStorage`) or return a promise
 * (React Native secure storage, IndexedDB wrappers).
 */
export interface KeyValueStorage {
  getItem(key: string): string | null | undefined | Promise<string | null | undefined>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

interface LockManager {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export const DEFAULT_TOKEN_KEY = 'offcode.token.v1';

const queues = new Map<string, PromiseQueue>();

/**
 * Stores the state under one key of a key-value storage (browser `localStorage`, React Native secure
 * storage). `lock` uses the Web Locks API (`navigator.locks`, shared by every tab of the origin) when present,
 * else an in-process queue per key.
 */
export class KeyValueTokenStore implements TokenStore {
  readonly key: string;
  private readonly kv: KeyValueStorage;

  constructor(kv: KeyValueStorage, key: string = DEFAULT_TOKEN_KEY) {
    if (kv === null || typeof kv !== 'object' || typeof kv.getItem !== 'function') {
      throw new OffcodeClientError('INVALID_INPUT', 'storage must provide getItem, setItem and removeItem');
    }
    if (typeof key !== 'string' || key.length === 0)
      throw new OffcodeClientError('INVALID_INPUT', 'key must be a non-empty string');
    this.kv = kv;
    this.key = key;
  }

  async read(): Promise<string | null> {
    try {
      const v = await this.kv.getItem(this.key);
      return v ?? null;
    } catch (e) {
      throw new OffcodeClientError('STORAGE_FAILURE', 'the token state could not be read from storage', {
        cause: e,
      });
    }
  }

  async write(serialized: string): Promise<void> {
    try {
      await this.kv.setItem(this.key, serialized);
    } catch (e) {
      // QuotaExceededError, SecurityError (storage disabled), a rejected native call.
      throw new OffcodeClientError('STORAGE_FAILURE', 'the token state could not be written to storage', {
        cause: e,
      });
    }
  }

  async remove(): Promise<void> {
    try {
      await this.kv.removeItem(this.key);
    } catch (e) {
      throw new OffcodeClientError('STORAGE_FAILURE', 'the token state could not be removed from storage', {
        cause: e,
      });
    }
  }

  lock<T>(fn: () => Promise<T>): Promise<T> {
    const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
    if (locks && typeof locks.request === 'function') {
      return locks.request(`offcode-token:${this.key}`, fn);
    }
    let q = queues.get(this.key);
    if (!q) {
      q = new PromiseQueue();
      queues.set(this.key, q);
    }
    return q.run(fn);
  }
}
