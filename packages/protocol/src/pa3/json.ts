/**
 * JSON in and out of the PowerAuth 3.3 messages. Input is whatever a real JSON parser yields (Android's Gson
 * writes `=` as `\u003d`, iOS writes it plainly): fields are read from the parsed value, never from the text.
 * Output follows Gson's default HTML-safe escaping so that requests equal the Android SDK's byte for byte.
 */
import { tryDecodeBase64Strict, utf8Decode } from '../base64.js';
import { ProtocolError } from '../errors.js';

/** Largest JSON text accepted by the parsers (characters): well above any PowerAuth 3.3 message. */
export const MAX_JSON_TEXT = 2 * 1024 * 1024;

const GSON_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '=': '\\u003d',
  "'": '\\u0027',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * `JSON.stringify` with Gson's default escaping of `< > & = '` and U+2028/U+2029. These characters never
 * occur in JSON syntax outside strings, so replacing them in the whole text only touches string contents.
 */
export function gsonStringify(value: unknown): string {
  const text = JSON.stringify(value);
  if (typeof text !== 'string')
    throw new ProtocolError('INVALID_ARGUMENT', 'value', 'is not JSON-serializable');
  return text.replace(/[<>&='\u2028\u2029]/g, (c) => GSON_ESCAPES[c]!);
}

export type JsonObject = Record<string, unknown>;

/**
 * A JSON object from its text, its UTF-8 bytes or an already parsed value. Anything else (invalid JSON,
 * an array, a primitive) is `INVALID_DATA` on `field`.
 */
export function readJsonObject(input: unknown, field: string): JsonObject {
  let value = input;
  if (input instanceof Uint8Array) value = utf8Decode(input, field);
  if (typeof value === 'string') {
    if (value.length > MAX_JSON_TEXT) {
      throw new ProtocolError('INVALID_LENGTH', field, `must be at most ${MAX_JSON_TEXT} characters of JSON`);
    }
    try {
      value = JSON.parse(value);
    } catch {
      throw new ProtocolError('INVALID_DATA', field, 'is not valid JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('INVALID_DATA', field, 'must be a JSON object');
  }
  return value as JsonObject;
}

/** A member that must be a string of 1..maxLength characters. */
export function readString(obj: JsonObject, key: string, maxLength: number): string {
  const value = obj[key];
  if (typeof value !== 'string') throw new ProtocolError('INVALID_DATA', key, 'must be a string');
  if (value.length === 0 || value.length > maxLength) {
    throw new ProtocolError('INVALID_LENGTH', key, `must have 1 to ${maxLength} characters`);
  }
  return value;
}

/** An optional member: absent or `null` (Jackson and Gson read both as missing) gives undefined. */
export function readOptionalString(obj: JsonObject, key: string, maxLength: number): string | undefined {
  return obj[key] === undefined || obj[key] === null ? undefined : readString(obj, key, maxLength);
}

/** A strict standard Base64 member whose decoded length is one of `lengths` (or any when omitted). */
export function readBase64(
  obj: JsonObject,
  key: string,
  opts: { lengths?: readonly number[]; maxBytes?: number } = {},
): Uint8Array {
  const value = obj[key];
  if (typeof value !== 'string') throw new ProtocolError('INVALID_DATA', key, 'must be a Base64 string');
  const maxBytes = opts.maxBytes ?? 4096;
  if (value.length > Math.ceil(maxBytes / 3) * 4) {
    throw new ProtocolError('INVALID_LENGTH', key, `must decode to at most ${maxBytes} bytes`);
  }
  const bytes = tryDecodeBase64Strict(value);
  if (bytes === null) {
    throw new ProtocolError('INVALID_BASE64', key, 'must be canonical standard Base64 with padding');
  }
  if (opts.lengths && !opts.lengths.includes(bytes.length)) {
    throw new ProtocolError('INVALID_LENGTH', key, `must decode to ${opts.lengths.join(' or ')} bytes`);
  }
  return bytes;
}

/** A non-negative integer member (milliseconds), at most 2^53 - 1. */
export function readTimestamp(obj: JsonObject, key: string): number {
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ProtocolError('INVALID_DATA', key, 'must be a non-negative integer (milliseconds)');
  }
  return value;
}
