/**
 * Request body decoding for `/rest/**` (server.md §1.1). The framework hands over raw bytes; this module
 * decides what is acceptable, so every defect becomes ERR0024 naming `body` instead of a framework status:
 * JSON only (`application/json`, optional `charset=utf-8`), strict UTF-8, no `__proto__` / `constructor` /
 * `prototype` keys anywhere, no surprises from deep nesting.
 */
import { OffcodeError } from '@offcode/server';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** `application/json`, optionally with `charset=utf-8` (any case); anything else is refused. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type, ...params] = header.split(';').map((s) => s.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => p === '' || p === 'charset=utf-8' || p === 'charset="utf-8"');
}

/** Marker: the JSON had a forbidden key (thrown from the reviver, caught below). */
class ForbiddenKey extends Error {}

/**
 * Parses a `/rest/**` body. Returns `undefined` for an absent or empty body (allowed for fieldless methods,
 * rejected later for the others); throws ERR0024 naming `body` for anything that is not a JSON document.
 */
export function parseJsonBody(raw: Buffer | undefined, contentType: string | undefined): unknown {
  if (raw === undefined || raw.length === 0) return undefined;
  if (!isJsonContentType(contentType)) {
    throw OffcodeError.invalidField('body', 'Content-Type must be application/json');
  }
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw OffcodeError.invalidField('body', 'must be UTF-8');
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text, (key, value) => {
      if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKey();
      return value;
    });
  } catch (error) {
    if (error instanceof ForbiddenKey) {
      throw OffcodeError.invalidField('body', 'must not contain __proto__, constructor or prototype keys');
    }
    // SyntaxError, or RangeError from a pathologically deep document.
    throw OffcodeError.invalidField('body', 'must be a valid JSON document');
  }
}
