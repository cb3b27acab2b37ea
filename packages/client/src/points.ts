/** Public keys on the protocol's curve (strict Base64 in, uncompressed SEC1 out). */
import { normalizePublicKey, PROTOCOL_PARAMETERS, tryDecodeBase64Strict } from '@offcode/protocol';
import type { Protocol } from './state.js';

/** Uncompressed form of a valid point on the protocol's curve, or undefined. */
export function toCurvePoint(protocol: Protocol, raw: Uint8Array): Uint8Array | undefined {
  try {
    return normalizePublicKey(PROTOCOL_PARAMETERS[protocol].curve, raw);
  } catch {
    return undefined;
  }
}

export function isCurvePoint(protocol: Protocol, point: Uint8Array): boolean {
  return toCurvePoint(protocol, point) !== undefined;
}

/** A Base64 text or bytes as an uncompressed point, or undefined. */
export function pointFrom(protocol: Protocol, value: unknown): Uint8Array | undefined {
  const raw = typeof value === 'string' ? tryDecodeBase64Strict(value) : value;
  return raw instanceof Uint8Array ? toCurvePoint(protocol, raw) : undefined;
}
