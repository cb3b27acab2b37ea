/**
 * The text rules every package shares (they exist only here): C0 control characters and DEL
 * (U+0000-U+001F, U+007F), checked without control characters in regex literals, and the name rule.
 */
import { isWellFormedString } from './base64.js';

export function isControlCode(code: number): boolean {
  return code <= 0x1f || code === 0x7f;
}

export function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isControlCode(s.charCodeAt(i))) return true;
  return false;
}

export function removeControlCharacters(s: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (isControlCode(s.charCodeAt(i))) {
      out += s.slice(start, i);
      start = i + 1;
    }
  }
  return start === 0 ? s : out + s.slice(start);
}

/** Longest name (application, user, activation name, …) in Unicode code points (server.md 1.2). */
export const MAX_NAME_LENGTH = 255;

/**
 * The name rule (server.md 1.2): a string of 1..255 Unicode code points, well-formed (no lone surrogates),
 * without control characters.
 */
export function isValidName(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2 * MAX_NAME_LENGTH) return false;
  if (!isWellFormedString(value) || hasControlCharacter(value)) return false;
  let codePoints = 0;
  for (const _ of value) codePoints++;
  return codePoints <= MAX_NAME_LENGTH;
}
