import { OffcodeCryptoError } from './errors.js';
import { isProtocolVersion, type ProtocolVersion } from './versions.js';

/** Largest message accepted by any function (1 MiB): far above any normalized data, bounds memory use. */
export const MAX_INPUT_BYTES = 1 << 20;
export const MAX_WINDOW = 64;
export const MAX_DATA_CANDIDATES = 16;

export function checkProtocol(protocol: unknown): ProtocolVersion {
  if (!isProtocolVersion(protocol)) throw new OffcodeCryptoError('protocol', 'must be 3 or 4');
  return protocol;
}

export function checkBytes(value: unknown, field: string, exact?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new OffcodeCryptoError(field, 'must be a Uint8Array');
  if (exact !== undefined && value.length !== exact) {
    throw new OffcodeCryptoError(field, `must be ${exact} bytes, got ${value.length}`);
  }
  if (value.length > MAX_INPUT_BYTES)
    throw new OffcodeCryptoError(field, `must be at most ${MAX_INPUT_BYTES} bytes`);
  return value;
}

export function checkInt(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new OffcodeCryptoError(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Parses an offline code `^[0-9]{L}-[0-9]{L}$` into its two integers (crypto.md 8.1). */
export function parseOfflineCode(code: unknown, length?: number): { length: number; s0: number; s1: number } {
  if (typeof code !== 'string' || !/^[0-9]{4,8}-[0-9]{4,8}$/.test(code)) {
    throw new OffcodeCryptoError('code', 'must be two groups of 4..8 digits joined by "-"');
  }
  const [a, b] = code.split('-') as [string, string];
  if (a.length !== b.length) throw new OffcodeCryptoError('code', 'both groups must have the same length');
  if (length !== undefined) {
    checkInt(length, 'length', 4, 8);
    if (a.length !== length) throw new OffcodeCryptoError('code', `must have ${length} digits per group`);
  }
  return { length: a.length, s0: Number(a), s1: Number(b) };
}
