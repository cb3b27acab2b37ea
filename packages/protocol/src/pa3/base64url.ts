/**
 * Base64url without padding (RFC 7515 section 2), used only inside JWTs. Decoding is strict in the same
 * way as the standard decoder: one text per byte string (no padding, no standard-alphabet characters, no
 * whitespace, unused trailing bits zero).
 */
import { encodeBase64, tryDecodeBase64Strict } from '../base64.js';

export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** The bytes of a strict Base64url text, or null. */
export function tryDecodeBase64Url(text: unknown): Uint8Array | null {
  if (typeof text !== 'string' || text.length % 4 === 1 || !/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const standard = text.replace(/-/g, '+').replace(/_/g, '/');
  return tryDecodeBase64Strict(standard + '='.repeat((4 - (standard.length % 4)) % 4));
}
