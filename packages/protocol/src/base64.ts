/**
 * Strict standard Base64 (crypto.md 1.1) and strict UTF-8. Node's `Buffer.from(s, 'base64')` and `atob`
 * silently accept whitespace, URL-safe characters, missing padding and non-canonical tails, which would let
 * two different strings stand for the same bytes; every protocol field goes through this decoder instead.
 * The codec itself exists once, in @offcode/crypto-wasm (the lowest package that needs it); this module is
 * its public home, with `ProtocolError` for refused input.
 */
import { encodeBase64, tryDecodeBase64Strict } from '@offcode/crypto-wasm/internal';
import { ProtocolError } from './errors.js';
import { decodeUtf8WithoutTextDecoder } from './utf8-fallback.js';

export { encodeBase64, tryDecodeBase64Strict };

/**
 * Decodes canonical padded standard Base64. Throws `ProtocolError` `INVALID_BASE64` (not strict Base64) or
 * `INVALID_LENGTH` (decoded length differs from `length`), naming `field`. The value is never echoed.
 */
export function decodeBase64Strict(text: string, field = 'value', length?: number): Uint8Array {
  const bytes = tryDecodeBase64Strict(text);
  if (bytes === null) {
    throw new ProtocolError(
      'INVALID_BASE64',
      field,
      'must be canonical standard Base64 with padding (no whitespace, no URL-safe characters)',
    );
  }
  if (length !== undefined && bytes.length !== length) {
    throw new ProtocolError(
      'INVALID_LENGTH',
      field,
      `must decode to exactly ${length} bytes, got ${bytes.length}`,
    );
  }
  return bytes;
}

/** True when `text` is canonical standard Base64 (and decodes to `length` bytes when given). */
export function isStrictBase64(text: string, length?: number): boolean {
  const bytes = tryDecodeBase64Strict(text);
  return bytes !== null && (length === undefined || bytes.length === length);
}

/** True when the string has no lone surrogates, i.e. it has an exact UTF-8 encoding. */
export function isWellFormedString(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c >= 0xdc00) return false;
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    }
  }
  return true;
}

/** Number of UTF-8 bytes of a well-formed string, without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const encoder = new TextEncoder();

/**
 * UTF-8 bytes of `s`. Strict: a lone surrogate would silently become U+FFFD with `TextEncoder` and change
 * signed bytes, so it is refused with `ProtocolError` `INVALID_DATA`.
 */
export function utf8Encode(s: string, field = 'text'): Uint8Array {
  if (typeof s !== 'string') throw new ProtocolError('INVALID_DATA', field, 'must be a string');
  if (!isWellFormedString(s)) {
    throw new ProtocolError('INVALID_DATA', field, 'must not contain lone UTF-16 surrogates');
  }
  return encoder.encode(s);
}

let strictDecoder: TextDecoder | undefined;

/**
 * Strict UTF-8 decoding, or null. The BOM is kept so that re-encoding gives back exactly the input.
 * Without TextDecoder (Hermes) the same rules run in plain JS.
 */
export function tryUtf8Decode(bytes: Uint8Array): string | null {
  if (typeof TextDecoder === 'undefined') return decodeUtf8WithoutTextDecoder(bytes);
  strictDecoder ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return null;
  }
}

/** Strict UTF-8 decoding (overlongs, surrogates and truncated sequences refused; BOM kept). */
export function utf8Decode(bytes: Uint8Array, field = 'bytes'): string {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError('INVALID_DATA', field, 'must be a Uint8Array');
  const text = tryUtf8Decode(bytes);
  if (text === null) throw new ProtocolError('INVALID_DATA', field, 'must be well-formed UTF-8');
  return text;
}
