/**
 * One way to choose the crypto backend (issue 11 item 4), token side: every hash, MAC and code of a scan and
 * an approval runs on the engine the token was given. A counting wrapper around a real engine instance is
 * passed as `crypto`; the process-wide wasm and noble engines are spied on and must see no call while the
 * token works.
 */
import {
  getNobleCrypto,
  getWasmCrypto,
  OFFCODE_CRYPTO_METHODS,
  type OffcodeCrypto,
} from '@offcode/crypto-wasm';
import { createWasmCrypto } from '@offcode/crypto-wasm/wasm';
import { payloadCase } from '@offcode/test-harness/vectors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleStateText, V3_EXAMPLE, V4_EXAMPLE } from '../test/fixtures.js';
import { MemoryTokenStore } from './stores/memory.js';
import { OffcodeToken } from './token.js';

const METHODS = OFFCODE_CRYPTO_METHODS;
type Method = (typeof METHODS)[number];
type Counts = Record<Method, number>;

const total = (c: Counts): number => METHODS.reduce((n, m) => n + c[m], 0);

/** Puts a counting function in front of each method of `target` (which calls `inner`). */
function count(target: Record<string, unknown>, inner: OffcodeCrypto): Counts {
  const counts = Object.fromEntries(METHODS.map((m) => [m, 0])) as Counts;
  for (const m of METHODS) {
    const real = inner[m] as (...args: unknown[]) => unknown;
    target[m] = (...args: unknown[]) => {
      counts[m]++;
      return real.apply(inner, args);
    };
  }
  return counts;
}

describe('crypto backend of the token', () => {
  const singletons = [getWasmCrypto(), getNobleCrypto()];
  const originals = singletons.map((e) => ({ ...e }));
  let spies: Counts[] = [];

  beforeAll(() => {
    spies = singletons.map((e, i) => count(e as unknown as Record<string, unknown>, originals[i]!));
  });
  afterAll(() => {
    for (const [i, e] of singletons.entries()) Object.assign(e, originals[i]);
  });

  it.each([
    [3, V3_EXAMPLE],
    [4, V4_EXAMPLE],
  ] as const)(
    'V%i: scan and approve hash, MAC and compute only on the given engine',
    async (protocol, ex) => {
      const store = new MemoryTokenStore(exampleStateText(protocol)); // fixtures may use the shared engines
      const qr = payloadCase(ex.payloadCase);
      const inner = createWasmCrypto();
      const engine = { backend: inner.backend } as Record<string, unknown>;
      const counts = count(engine, inner);
      const before = spies.map(total);

      const token = new OffcodeToken({ store, crypto: engine as unknown as OffcodeCrypto });
      const op = await token.scan(qr);
      const result = await token.approve(op, { pin: '1234' });

      expect(result.code).toBe(ex.code);
      expect(counts.computeAuthCode + counts.computeCodeComponents).toBeGreaterThanOrEqual(1);
      expect(counts.nextCounter).toBeGreaterThanOrEqual(1);
      if (protocol === 4) expect(counts.kmac256).toBeGreaterThanOrEqual(2); // payload MAC + PIN key (PA4PBKDF)
      expect(spies.map(total)).toEqual(before);
    },
  );
});
