import { describe, expect, it } from 'vitest';
import { OffcodeClientError } from '../errors.js';
import { DEFAULT_TOKEN_KEY, type KeyValueStorage, KeyValueTokenStore } from './key-value.js';
import { MemoryTokenStore } from './memory.js';
import type { TokenStore } from './types.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

class MapStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

class AsyncStorage extends MapStorage {
  override getItem(k: string): string | null {
    return super.getItem(k);
  }
  async getItemAsync(k: string) {
    await tick();
    return super.getItem(k);
  }
}

async function exclusive(store: TokenStore): Promise<void> {
  // Two read-modify-write sections on a shared counter: without mutual exclusion both read 0.
  await store.write('0');
  const section = () =>
    store.lock(async () => {
      const v = Number(await store.read());
      await tick();
      await store.write(String(v + 1));
    });
  await Promise.all([section(), section(), section()]);
  expect(await store.read()).toBe('3');
}

describe('MemoryTokenStore', () => {
  it('reads null, writes, removes', async () => {
    const s = new MemoryTokenStore();
    expect(await s.read()).toBeNull();
    await s.write('x');
    expect(await s.read()).toBe('x');
    await s.remove();
    expect(await s.read()).toBeNull();
  });

  it('lock serializes sections, and a failing section does not block the next', async () => {
    const s = new MemoryTokenStore();
    await exclusive(s);
    await expect(s.lock(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await s.lock(async () => 42)).toBe(42);
  });
});

describe('KeyValueTokenStore', () => {
  it('uses the documented default key', async () => {
    const kv = new MapStorage();
    const s = new KeyValueTokenStore(kv);
    expect(s.key).toBe(DEFAULT_TOKEN_KEY);
    expect(DEFAULT_TOKEN_KEY).toBe('offcode.token.v1');
    await s.write('state');
    expect(kv.map.get('offcode.token.v1')).toBe('state');
    expect(await s.read()).toBe('state');
    await s.remove();
    expect(kv.map.size).toBe(0);
    expect(await s.read()).toBeNull();
  });

  it('works with asynchronous storages (React Native style)', async () => {
    const map = new Map<string, string>();
    const kv: KeyValueStorage = {
      getItem: async (k) => {
        await tick();
        return map.get(k) ?? null;
      },
      setItem: async (k, v) => {
        await tick();
        map.set(k, v);
      },
      removeItem: async (k) => {
        map.delete(k);
      },
    };
    const s = new KeyValueTokenStore(kv, 'k');
    await exclusive(s);
    expect(map.get('k')).toBe('3');
  });

  it('maps storage exceptions to STORAGE_FAILURE', async () => {
    const kv: KeyValueStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => Promise.reject(new Error('x')),
    };
    const s = new KeyValueTokenStore(kv);
    for (const op of [() => s.read(), () => s.write('x'), () => s.remove()]) {
      const e = await op().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(OffcodeClientError);
      expect((e as OffcodeClientError).code).toBe('STORAGE_FAILURE');
    }
  });

  it('uses navigator.locks when present', async () => {
    const names: string[] = [];
    const g = globalThis as { navigator?: unknown };
    const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', {
      configurable: true,
      value: {
        locks: {
          request: (name: string, fn: () => Promise<unknown>) => {
            names.push(name);
            return fn();
          },
        },
      },
    });
    try {
      const s = new KeyValueTokenStore(new MapStorage(), 'abc');
      expect(await s.lock(async () => 7)).toBe(7);
      expect(names).toEqual(['offcode-token:abc']);
    } finally {
      if (had) Object.defineProperty(globalThis, 'navigator', had);
      else delete g.navigator;
    }
  });

  it('falls back to an in-process queue per key', async () => {
    await exclusive(new KeyValueTokenStore(new AsyncStorage(), 'queue-test'));
  });

  it('refuses a storage without the key-value methods', () => {
    expect(() => new KeyValueTokenStore({} as KeyValueStorage)).toThrowError(OffcodeClientError);
    expect(() => new KeyValueTokenStore(new MapStorage(), '')).toThrowError(OffcodeClientError);
  });
});
