import { OffcodeClientError } from './errors.js';

/** A CSPRNG source: returns `n` fresh random bytes. */
export type RandomSource = (n: number) => Uint8Array;

/**
 * The platform CSPRNG (`crypto.getRandomValues`: browsers, Node 20, React Native with a polyfill). Never
 * `Math.random`; without a CSPRNG every operation that needs randomness fails with CRYPTO_UNAVAILABLE.
 */
export function defaultRandom(n: number): Uint8Array {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (typeof c?.getRandomValues !== 'function') {
    throw new OffcodeClientError(
      'CRYPTO_UNAVAILABLE',
      'no CSPRNG: crypto.getRandomValues is missing (React Native needs a polyfill)',
    );
  }
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65536 bytes per call.
  for (let i = 0; i < n; i += 65536) c.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

export function randomBytes(random: RandomSource, n: number): Uint8Array {
  let out: Uint8Array;
  try {
    out = random(n);
  } catch (e) {
    if (e instanceof OffcodeClientError) throw e;
    throw new OffcodeClientError('CRYPTO_UNAVAILABLE', 'the random source failed', { cause: e });
  }
  if (!(out instanceof Uint8Array) || out.length !== n) {
    throw new OffcodeClientError('CRYPTO_UNAVAILABLE', `the random source did not return ${n} bytes`);
  }
  return out;
}
