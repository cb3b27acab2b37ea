/**
 * TOTP for the proximity check (RFC 6238; crypto.md 9). Offcode uses HMAC-SHA-256 with 8 digits; most
 * libraries default to SHA-1 and 6 digits, which never match. HMAC-SHA-256 runs on the suite's engine (like
 * every other hash of a verification); SHA-512 and SHA-1, which the engine does not offer, are there only for
 * the RFC test vectors and other integrations and run on @noble/hashes.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { ProtocolError } from './errors.js';
import { type CryptoSuite, checkSuite } from './suite.js';

export type TotpAlgorithm = 'SHA-256' | 'SHA-512' | 'SHA-1';

export interface TotpOptions {
  /** Step length in seconds (default 30). */
  step?: number;
  /** Digits, 6..8 (default 8). */
  digits?: number;
  /** HMAC hash (default SHA-256, the Offcode algorithm). */
  algorithm?: TotpAlgorithm;
}

type HmacFunction = (key: Uint8Array, data: Uint8Array) => Uint8Array;

function hmacFor(suite: CryptoSuite, algorithm: unknown): HmacFunction {
  if (algorithm === 'SHA-256') {
    const engine = checkSuite(suite).engine;
    return (key, data) => engine.hmacSha256(key, data);
  }
  if (algorithm === 'SHA-512') return (key, data) => hmac(sha512, key, data);
  if (algorithm === 'SHA-1') return (key, data) => hmac(sha1, key, data);
  throw new ProtocolError('INVALID_ARGUMENT', 'algorithm', 'must be "SHA-256", "SHA-512" or "SHA-1"');
}

function checkInt(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ProtocolError('INVALID_ARGUMENT', field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** TOTP(seed, t): T = floor(t / step), HMAC(seed, uint64_be(T)), dynamic truncation, mod 10^digits, zero-padded. */
export function totp(
  suite: CryptoSuite,
  seed: Uint8Array,
  timeSeconds: number,
  opts: TotpOptions = {},
): string {
  if (!(seed instanceof Uint8Array) || seed.length === 0) {
    throw new ProtocolError('INVALID_KEY', 'seed', 'must be a non-empty Uint8Array');
  }
  if (typeof timeSeconds !== 'number' || !Number.isFinite(timeSeconds) || timeSeconds < 0) {
    throw new ProtocolError(
      'INVALID_ARGUMENT',
      'timeSeconds',
      'must be a non-negative number of Unix seconds',
    );
  }
  const step = checkInt(opts.step ?? 30, 'step', 1, 2 ** 31);
  const digits = checkInt(opts.digits ?? 8, 'digits', 6, 8);
  const mac = hmacFor(suite, opts.algorithm ?? 'SHA-256');
  const counter = new Uint8Array(8);
  new DataView(counter.buffer).setBigUint64(0, BigInt(Math.floor(timeSeconds / step)), false);
  const h = mac(seed, counter);
  const o = h[h.length - 1]! & 0x0f;
  const v = ((h[o]! & 0x7f) << 24) | (h[o + 1]! << 16) | (h[o + 2]! << 8) | h[o + 3]!;
  return (v % 10 ** digits).toString().padStart(digits, '0');
}

/**
 * The server's candidates for a proximity check, newest first: TOTP(now), TOTP(now - step), ...,
 * TOTP(now - stepCount * step), i.e. stepCount + 1 values (HMAC-SHA-256).
 */
export function totpCandidates(
  suite: CryptoSuite,
  seed: Uint8Array,
  nowSeconds: number,
  step: number,
  stepCount: number,
  digits = 8,
): string[] {
  checkInt(stepCount, 'stepCount', 0, 64);
  checkInt(step, 'step', 1, 2 ** 31);
  const out: string[] = [];
  for (let i = 0; i <= stepCount; i++) {
    out.push(totp(suite, seed, Math.max(0, nowSeconds - i * step), { step, digits }));
  }
  return out;
}
